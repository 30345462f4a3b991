package dev.bluegreen.core.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings of {@code bluegreen cutover} (YAML section {@code cutover}). Immutable.
 *
 * @param applicationRole the database role the application uses on blue and green: blue is made
 *     read-only for it at the flip, green writable for it; it must not be the pipeline's own users
 * @param freeze how writes on blue are frozen
 * @param maxFreeze longest allowed freeze window; past it the coordinator aborts and stays on blue
 *     (default 1000 ms)
 * @param drainTimeout longest wait for the sink to apply the fence (default 800 ms)
 * @param lockTimeout longest wait for one freeze lock on blue (default 300 ms)
 * @param maxLag pre-check: the applied watermark must be at most this far behind blue's clock (default 5 s)
 * @param parityMaxAge pre-check: a complete parity pass must be at most this old (default 24 h)
 * @param finalCheckBudget time allowed for the final check of the rows changed since the parity pass
 *     (default 30 s, all but the part inside the freeze spent before it: a cold coordinator JVM on a busy
 *     2-core machine read and compared about 12,000 changed keys in 5 s; the part inside the freeze is bounded by
 *     {@code maxFreeze} as well)
 * @param sequenceGap how far past blue's current value green's sequences are set (values; default 1000)
 * @param router how the application's connections are pointed at green
 */
public record CutoverConfig(String applicationRole, Freeze freeze, Duration maxFreeze, Duration drainTimeout,
                            Duration lockTimeout, Duration maxLag, Duration parityMaxAge, Duration finalCheckBudget,
                            long sequenceGap, Router router) {

    public static final Duration DEFAULT_MAX_FREEZE = Duration.ofMillis(1000);
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofMillis(800);
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofMillis(300);
    public static final Duration DEFAULT_MAX_LAG = Duration.ofSeconds(5);
    public static final Duration DEFAULT_PARITY_MAX_AGE = Duration.ofHours(24);
    public static final Duration DEFAULT_FINAL_CHECK_BUDGET = Duration.ofSeconds(30);
    public static final long DEFAULT_SEQUENCE_GAP = 1000;

    public CutoverConfig {
        requireNonNull(applicationRole, "applicationRole is null");
        requireNonNull(freeze, "freeze is null");
        requireNonNull(router, "router is null");
    }

    /** The same settings with other freeze and drain limits (command-line overrides). */
    public CutoverConfig withLimits(Duration newMaxFreeze, Duration newDrainTimeout) {
        return new CutoverConfig(applicationRole, freeze, newMaxFreeze == null ? maxFreeze : newMaxFreeze,
                newDrainTimeout == null ? drainTimeout : newDrainTimeout, lockTimeout, maxLag, parityMaxAge,
                finalCheckBudget, sequenceGap, router);
    }

    /** How writes on blue are frozen. */
    public enum Freeze {
        /**
         * The coordinator's own blue session locks every captured table ({@code EXCLUSIVE} mode: reads go
         * on, writes wait). If the coordinator dies its session ends and blue takes writes again by itself.
         */
        LOCK("lock"),
        /**
         * The router pauses new transactions first (PgBouncer {@code PAUSE}, the switchable DataSource's
         * gate) and waits for running ones; then the same locks are taken as a backstop for writers that
         * bypass the router. Clients see a pause instead of an error.
         */
        ROUTER_PAUSE("router-pause");

        private final String configName;

        Freeze(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }

    /** Where the application's connections are pointed. */
    public sealed interface Router permits PgBouncer, DataSourceRoute, Command {
        /** The YAML {@code type}. */
        String type();
    }

    /**
     * A real PgBouncer in front of the application: the coordinator rewrites the database's line in
     * {@code configFile}, then {@code RELOAD} and {@code RESUME} on the admin console. The admin console
     * is driven with {@code psql} (PgBouncer's documented client for it): PgJDBC 42.7.5+ sends
     * {@code SET extra_float_digits} to any server reporting a version below 12, which PgBouncer's
     * admin console rejects before 1.25 ("SET failed", pgbouncer/pgbouncer issue 1509).
     *
     * @param adminHost host of PgBouncer's admin console (default {@code 127.0.0.1})
     * @param adminPort its port
     * @param adminUser an {@code admin_users} entry
     * @param adminPassword its password (may be empty; passed to psql as {@code PGPASSWORD})
     * @param database the PgBouncer database name the application connects to
     * @param configFile the ini file whose {@code [databases]} section holds that database's line
     * @param psql the psql program (default {@code psql} on the PATH)
     */
    public record PgBouncer(String adminHost, int adminPort, String adminUser, String adminPassword, String database,
                            Path configFile, String psql) implements Router {
        public PgBouncer {
            requireNonNull(adminHost, "adminHost is null");
            requireNonNull(adminUser, "adminUser is null");
            requireNonNull(database, "database is null");
            requireNonNull(configFile, "configFile is null");
            requireNonNull(psql, "psql is null");
        }

        @Override
        public String type() {
            return "pgbouncer";
        }
    }

    /**
     * JVM applications using bluegreen's switchable DataSource: the coordinator publishes the target in
     * green's {@code bluegreen.route}.
     *
     * @param lease how long a DataSource stays frozen without hearing from the coordinator (default 3 s)
     */
    public record DataSourceRoute(Duration lease) implements Router {
        @Override
        public String type() {
            return "datasource";
        }
    }

    /**
     * A user's command run at the flip with the new target in {@code BLUEGREEN_TARGET},
     * {@code BLUEGREEN_TARGET_JDBC_URL}, {@code BLUEGREEN_TARGET_HOST}, {@code BLUEGREEN_TARGET_PORT} and
     * {@code BLUEGREEN_TARGET_DATABASE}; exit 0 means flipped.
     *
     * @param command program and arguments (no shell unless the user names one)
     * @param timeout longest run (default 10 s); past it the command is killed and the cutover aborts
     */
    public record Command(List<String> command, Duration timeout) implements Router {
        public Command {
            command = List.copyOf(command);
        }

        @Override
        public String type() {
            return "command";
        }
    }
}
