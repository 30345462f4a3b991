package dev.bluegreen.cutover.coordinator;

import dev.bluegreen.core.config.CutoverConfig;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.control.AppliedWatermark;
import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.event.Markers;
import dev.bluegreen.cutover.parity.report.ParityRunStore;
import dev.bluegreen.cutover.parity.sql.Reads;
import dev.bluegreen.cutover.router.Router;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Step 1 of the cutover protocol: pipeline running, lag, a recent complete parity pass, roles and
 * privileges, green not writable by the application, blue's heartbeat row (the fence), the router.
 * Every check runs and is logged as a step ({@code precheck.*}); all failures are reported together.
 * Changes nothing. Not thread-safe.
 */
final class Prechecks {

    private final PipelineConfig config;
    private final CutoverConfig cutover;
    private final DataSource blue;
    private final DataSource green;
    private final Router router;
    private final List<CutoverTable> tables;
    private final StepLog log;
    private final Clock clock;

    Prechecks(PipelineConfig config, CutoverConfig cutover, DataSource blue, DataSource green, Router router,
              List<CutoverTable> tables, StepLog log, Clock clock) {
        this.config = config;
        this.cutover = cutover;
        this.blue = blue;
        this.green = green;
        this.router = router;
        this.tables = tables;
        this.log = log;
        this.clock = clock;
    }

    /**
     * Runs every pre-check (each a step in the log) and returns the problems, empty when all passed.
     *
     * @throws SQLException when blue or green cannot be reached at all
     */
    List<String> run() throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Connection g = green.getConnection(); Connection b = blue.getConnection()) {
            check(problems, "precheck.pipeline-running", () -> {
                try (PreparedStatement ps = g.prepareStatement(
                        "SELECT state, updated_at FROM bluegreen.pipeline_state WHERE pipeline = ?")) {
                    ps.setString(1, config.name());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next() || !"running".equals(rs.getString(1))) {
                            throw new IllegalStateException("pipeline " + config.name() + " is not running (state "
                                    + (rs.getRow() == 0 ? "unknown" : rs.getString(1)) + "); start it with bluegreen run");
                        }
                        return "pipeline state running since " + rs.getTimestamp(2).toInstant();
                    }
                }
            });
            check(problems, "precheck.lag", () -> {
                Optional<Markers.Watermark> w = new AppliedWatermark(green, config).applied(g);
                if (w.isEmpty()) {
                    throw new IllegalStateException("no watermark applied in every partition yet: the sink has not"
                            + " caught up with streaming; wait for the snapshot to finish");
                }
                long lag = Reads.clockMs(b, Engine.of(config.blue())) - w.get().blueCommitMs();
                if (lag > cutover.maxLag().toMillis()) {
                    throw new IllegalStateException("lag " + lag + " ms is over cutover.max-lag-ms "
                            + cutover.maxLag().toMillis() + "; wait for the sink to catch up");
                }
                return "lag " + Math.max(0, lag) + " ms (heartbeat " + w.get().beats() + " applied everywhere)";
            });
            check(problems, "precheck.parity", () -> {
                Optional<ParityRunStore.LatestRun> p = ParityRunStore.latest(g, config.name());
                if (p.isEmpty()) {
                    throw new IllegalStateException("no parity run recorded; run bluegreen verify first");
                }
                ParityRunStore.LatestRun run = p.get();
                Duration age = Duration.between(run.finishedAt(), clock.instant());
                if (!"parity".equals(run.result()) || !run.complete()) {
                    throw new IllegalStateException("the last verify (" + run.finishedAt() + ") was " + run.result()
                            + (run.complete() ? "" : " on a subset of tables") + "; run a complete bluegreen verify");
                }
                if (age.compareTo(cutover.parityMaxAge()) > 0) {
                    throw new IllegalStateException("the last parity pass is " + age.toMinutes() + " min old, over"
                            + " cutover.parity-max-age-minutes " + cutover.parityMaxAge().toMinutes()
                            + "; run bluegreen verify again");
                }
                return "parity pass at " + run.finishedAt() + " (" + age.toSeconds() + " s ago)";
            });
            check(problems, "precheck.roles", () -> roles(b, g));
            check(problems, "precheck.green-not-writable", () -> {
                List<String> writable = GreenSwitch.writableBy(g, cutover.applicationRole(), tables);
                if (!writable.isEmpty()) {
                    throw new IllegalStateException("the application role " + cutover.applicationRole()
                            + " can already write green " + writable + "; revoke INSERT, UPDATE, DELETE, TRUNCATE"
                            + " (the coordinator grants them at the flip)");
                }
                return "the application role cannot write the " + tables.size() + " green target(s)";
            });
            check(problems, "precheck.heartbeat", () -> {
                try (PreparedStatement ps = b.prepareStatement("SELECT beats FROM bluegreen.heartbeat WHERE pipeline = ?")) {
                    ps.setString(1, config.name());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new IllegalStateException("blue has no heartbeat row for " + config.name()
                                    + "; the fence needs it: run the pipeline");
                        }
                        return "heartbeat row at " + rs.getLong(1) + " beats";
                    }
                }
            });
            check(problems, "precheck.router", router::check);
        }
        return problems;
    }

    private String roles(Connection b, Connection g) throws SQLException {
        String role = cutover.applicationRole();
        if (role.equals(config.blue().user()) || role.equals(config.green().user())) {
            throw new IllegalStateException("cutover.application-role " + role + " is the pipeline's own database"
                    + " user; the application must use a role of its own (it is made read-only on blue)");
        }
        if (Engine.of(config.blue()) == Engine.MARIADB) {
            roleExists(g, role, "green");
            return MariaDbGrants.check(b, role, config.blue().user(), tables.stream().map(CutoverTable::blue)
                    .distinct().toList());
        }
        roleExists(b, role, "blue");
        roleExists(g, role, "green");
        try (ResultSet rs = b.createStatement().executeQuery("SELECT rolsuper, rolcreaterole,"
                + " pg_has_role(current_user, 'pg_signal_backend', 'MEMBER') FROM pg_roles WHERE rolname = current_user")) {
            rs.next();
            if (!rs.getBoolean(1) && !(rs.getBoolean(2) && rs.getBoolean(3))) {
                throw new IllegalStateException("blue user " + config.blue().user() + " needs CREATEROLE and membership"
                        + " in pg_signal_backend (or superuser) to make the application read-only and end its sessions");
            }
        }
        return "application role " + role + " exists on both; the coordinator may revoke, alter the role and end sessions";
    }

    /** Throws when the PostgreSQL role does not exist on {@code side} (blue or green). */
    private static void roleExists(Connection c, String role, String side) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("role " + role + " (cutover.application-role) does not exist on "
                            + side);
                }
            }
        }
    }

    private void check(List<String> problems, String name, StepLog.Body body) {
        if (!log.step(name, body)) {
            problems.add(name.substring(name.indexOf('.') + 1) + ": " + log.last().detail());
        }
    }
}
