package dev.bluegreen.datasource;

import com.zaxxer.hikari.HikariConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Validated, immutable settings of a {@link SwitchableDataSource}; build one with {@link #builder()}.
 *
 * <p>The two {@link HikariConfig}s are copied on the way in and on the way out, so changing a config
 * after {@link Builder#build()} (or changing what an accessor returns) has no effect. Every pool the
 * DataSource opens is a fresh copy with {@code allowPoolSuspension=true} (required to freeze) and the
 * pool name {@code <poolName or bluegreen-<pipeline>-<target>>-<generation>}, generation counting the
 * pools opened by one DataSource from 1.
 *
 * @param pipeline the pipeline name: the key of the {@code bluegreen.route} row to follow
 * @param controlUrl PgJDBC URL of green's database, where {@code bluegreen.route} lives
 * @param controlUser role for the control connection; {@code null} to take it from the URL
 * @param controlPassword its password; {@code null} for none
 * @param blue pool settings (JDBC URL, credentials, sizes) for the blue database
 * @param green pool settings for the green database
 * @param initialTarget where connections go while no route row exists for the pipeline
 * @param freezeWaitMs how long one {@code getConnection()} call waits during a freeze before it throws
 *     {@link java.sql.SQLTransientConnectionException}; greater than 0
 * @param drainDeadlineMs how long after a freeze starts to wait for borrowed connections to come back
 *     before logging what is still out; 0 or more
 * @param retireGraceMs how long a pool that was switched away from stays open for its borrowed
 *     connections to come back; after that it is closed, which aborts them; 0 or more
 */
public record SwitchableDataSourceConfig(String pipeline, String controlUrl, String controlUser,
        String controlPassword, HikariConfig blue, HikariConfig green, Target initialTarget, long freezeWaitMs,
        long drainDeadlineMs, long retireGraceMs) {

    /** Default of {@link #freezeWaitMs()}. */
    public static final long DEFAULT_FREEZE_WAIT_MS = 10_000;
    /** Default of {@link #drainDeadlineMs()}. */
    public static final long DEFAULT_DRAIN_DEADLINE_MS = 2_000;
    /** Default of {@link #retireGraceMs()}. */
    public static final long DEFAULT_RETIRE_GRACE_MS = 30_000;

    private static final String PG_URL_PREFIX = "jdbc:postgresql:";

    /**
     * Checks every setting and throws once, listing all problems.
     *
     * @throws IllegalArgumentException naming every invalid setting and how to fix it
     */
    public SwitchableDataSourceConfig {
        List<String> problems = new ArrayList<>();
        if (pipeline == null || pipeline.isBlank()) {
            problems.add("pipeline is missing: set it to the pipeline name of the bluegreen configuration");
        }
        if (controlUrl == null || !controlUrl.startsWith(PG_URL_PREFIX)) {
            problems.add("control URL must be a PgJDBC URL of green's database (" + PG_URL_PREFIX
                    + "//host:port/database), got " + (controlUrl == null ? "nothing" : "'" + controlUrl + "'"));
        }
        blue = checkedCopy(Target.BLUE, blue, problems);
        green = checkedCopy(Target.GREEN, green, problems);
        if (initialTarget == null) {
            problems.add("initial target is missing: set it to the database the application uses before any"
                    + " cutover (usually BLUE)");
        }
        if (freezeWaitMs <= 0) {
            problems.add("freezeWaitMs must be greater than 0, got " + freezeWaitMs);
        }
        if (drainDeadlineMs < 0) {
            problems.add("drainDeadlineMs must be 0 or more, got " + drainDeadlineMs);
        }
        if (retireGraceMs < 0) {
            problems.add("retireGraceMs must be 0 or more, got " + retireGraceMs);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid switchable DataSource settings"
                    + (pipeline == null || pipeline.isBlank() ? "" : " for pipeline '" + pipeline + "'") + ": "
                    + String.join("; ", problems));
        }
    }

    /** @return a new builder with the defaults of {@link #freezeWaitMs}, {@link #drainDeadlineMs} and {@link #retireGraceMs} */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a copy of the blue pool settings */
    @Override
    public HikariConfig blue() {
        return copy(blue);
    }

    /** @return a copy of the green pool settings */
    @Override
    public HikariConfig green() {
        return copy(green);
    }

    /**
     * @param target blue or green
     * @return a copy of that target's pool settings
     */
    public HikariConfig poolConfig(Target target) {
        return target == Target.BLUE ? blue() : green();
    }

    /** Without passwords: safe to log. */
    @Override
    public String toString() {
        return "SwitchableDataSourceConfig[pipeline=" + pipeline + ", control=" + controlUrl + " as "
                + (controlUser == null ? "(user from URL)" : controlUser) + ", blue=" + describe(blue) + ", green="
                + describe(green) + ", initialTarget=" + initialTarget.sqlName() + ", freezeWaitMs=" + freezeWaitMs
                + ", drainDeadlineMs=" + drainDeadlineMs + ", retireGraceMs=" + retireGraceMs + "]";
    }

    private static String describe(HikariConfig config) {
        String where = config.getJdbcUrl() != null ? config.getJdbcUrl()
                : config.getDataSourceClassName() != null ? config.getDataSourceClassName() : "a DataSource object";
        return where + (config.getUsername() == null ? "" : " as " + config.getUsername())
                + " (maximumPoolSize " + config.getMaximumPoolSize() + ")";
    }

    private static HikariConfig checkedCopy(Target target, HikariConfig config, List<String> problems) {
        if (config == null) {
            problems.add(target.sqlName() + " pool settings are missing: give its HikariConfig or JDBC URL");
            return null;
        }
        if (config.getJdbcUrl() == null && config.getDataSource() == null && config.getDataSourceClassName() == null) {
            problems.add(target.sqlName() + " pool settings name no database: set jdbcUrl (or dataSource /"
                    + " dataSourceClassName) on its HikariConfig");
            return copy(config);
        }
        try {
            // Hikari's own checks, on a copy: validate() fills in defaults and may adjust values
            copy(config).validate();
        } catch (IllegalArgumentException | IllegalStateException e) {
            problems.add(target.sqlName() + " pool settings are invalid: " + e.getMessage());
        }
        return copy(config);
    }

    private static HikariConfig copy(HikariConfig config) {
        if (config == null) {
            return null;
        }
        HikariConfig copy = new HikariConfig();
        config.copyStateTo(copy);
        return copy;
    }

    /**
     * Collects settings for {@link SwitchableDataSourceConfig}; not thread-safe. Required: pipeline,
     * control, blue, green and initialTarget.
     */
    public static final class Builder {
        private String pipeline;
        private String controlUrl;
        private String controlUser;
        private String controlPassword;
        private HikariConfig blue;
        private HikariConfig green;
        private Target initialTarget;
        private long freezeWaitMs = DEFAULT_FREEZE_WAIT_MS;
        private long drainDeadlineMs = DEFAULT_DRAIN_DEADLINE_MS;
        private long retireGraceMs = DEFAULT_RETIRE_GRACE_MS;

        private Builder() {
        }

        /** @param pipeline the pipeline name, the key of its {@code bluegreen.route} row */
        public Builder pipeline(String pipeline) {
            this.pipeline = pipeline;
            return this;
        }

        /**
         * @param jdbcUrl PgJDBC URL of green's database, where {@code bluegreen.route} lives
         * @param user role with {@code USAGE} on schema {@code bluegreen} and {@code SELECT} on
         *     {@code bluegreen.route}; {@code null} to take it from the URL
         * @param password its password, or {@code null}
         */
        public Builder control(String jdbcUrl, String user, String password) {
            this.controlUrl = jdbcUrl;
            this.controlUser = user;
            this.controlPassword = password;
            return this;
        }

        /** @param config blue's pool settings; copied by {@link #build()} */
        public Builder blue(HikariConfig config) {
            this.blue = config;
            return this;
        }

        /** Blue's pool with HikariCP's defaults for everything but URL and credentials. */
        public Builder blue(String jdbcUrl, String user, String password) {
            return blue(hikari(jdbcUrl, user, password));
        }

        /** @param config green's pool settings; copied by {@link #build()} */
        public Builder green(HikariConfig config) {
            this.green = config;
            return this;
        }

        /** Green's pool with HikariCP's defaults for everything but URL and credentials. */
        public Builder green(String jdbcUrl, String user, String password) {
            return green(hikari(jdbcUrl, user, password));
        }

        /** @param target where connections go while the pipeline has no route row */
        public Builder initialTarget(Target target) {
            this.initialTarget = target;
            return this;
        }

        /** @param freezeWaitMs see {@link SwitchableDataSourceConfig#freezeWaitMs()}; default 10000 */
        public Builder freezeWaitMs(long freezeWaitMs) {
            this.freezeWaitMs = freezeWaitMs;
            return this;
        }

        /** @param drainDeadlineMs see {@link SwitchableDataSourceConfig#drainDeadlineMs()}; default 2000 */
        public Builder drainDeadlineMs(long drainDeadlineMs) {
            this.drainDeadlineMs = drainDeadlineMs;
            return this;
        }

        /** @param retireGraceMs see {@link SwitchableDataSourceConfig#retireGraceMs()}; default 30000 */
        public Builder retireGraceMs(long retireGraceMs) {
            this.retireGraceMs = retireGraceMs;
            return this;
        }

        /**
         * @return the validated settings
         * @throws IllegalArgumentException listing every missing or invalid setting
         */
        public SwitchableDataSourceConfig build() {
            return new SwitchableDataSourceConfig(pipeline, controlUrl, controlUser, controlPassword, blue, green,
                    initialTarget, freezeWaitMs, drainDeadlineMs, retireGraceMs);
        }

        private static HikariConfig hikari(String jdbcUrl, String user, String password) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(jdbcUrl);
            config.setUsername(user);
            config.setPassword(password);
            return config;
        }
    }
}
