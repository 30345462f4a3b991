package dev.bluegreen.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bluegreen.cli.pipeline.Drain;
import dev.bluegreen.cli.pipeline.Pipeline;
import dev.bluegreen.cli.pipeline.Role;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.sink.backfill.Backfill;
import dev.bluegreen.testkit.LocalPostgres;
import dev.bluegreen.testkit.LocalPostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bluegreen run --role capture} and {@code --role apply}: one pipeline in two processes (here two
 * {@link Pipeline}s of one JVM, which share nothing but the config, the servers and the embedded broker's files).
 * The apply process waits for the capture process's initial copy; while it is stopped, capture goes on publishing
 * and blue's slot goes on advancing; once it is back it applies the backlog from green's stored offsets, and green
 * equals blue.
 */
@Tag("it-postgresql")
class SplitRolesIT {

    @RegisterExtension
    static LocalPostgresExtension blueServer = new LocalPostgresExtension("split-blue");

    @RegisterExtension
    static LocalPostgresExtension greenServer = new LocalPostgresExtension("split-green");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    private static final Backfill.Listener QUIET = new Backfill.Listener() { };

    @Test
    void captureGoesOnWhileTheApplyProcessIsStoppedAndNothingIsLost() throws Exception {
        LocalPostgres blue = blueServer.postgres();
        // a slow copy (200 rows at 20 rows/s), so that the apply process starts while it still runs
        PipelineConfig config = Pipelines.config("/counters/pipeline.yaml", work, setUp("split", "copy"),
                yaml -> yaml + "backfill:\n  chunk-rows: 100\n  max-rows-per-second: 20\n");
        try (Pipeline capture = new Pipeline(config, QUIET, Role.CAPTURE).start()) {
            try (Pipeline apply = new Pipeline(config, QUIET, Role.APPLY).start()) {
                assertThat(apply.backfillRunning()).as("the apply process waits for the capture process's copy").isTrue();
                assertThat(apply.appliedEvents()).isZero();
                try (Connection c = blue.connect("split")) {
                    RestartPipelineIT.writeChanges(c, new Random(1), 200);
                }
                Pipelines.awaitSnapshotAndDrain(apply, Duration.ofMinutes(3));
                assertThat(apply.backfillRunning()).isFalse();
                Pipelines.assertGreenMatchesBlue(apply);
            }
            assertThat(state(greenServer.postgres(), "split")).isEqualTo("stopped: the apply process stopped");

            long appliedBefore = appliedEvents(greenServer.postgres(), "split");
            long capturedBefore = capture.capturedEvents();
            String lsn;
            try (Connection c = blue.connect("split")) {
                RestartPipelineIT.writeChanges(c, new Random(2), 400);
                lsn = query(blue, "split", "SELECT pg_current_wal_lsn()::text");
            }
            awaitSlotPast(blue, config.slotName(), lsn, capture);
            assertThat(capture.capturedEvents()).as("capture published the changes made while nothing applied")
                    .isGreaterThan(capturedBefore);
            capture.checkHealthy();
            assertThat(appliedEvents(greenServer.postgres(), "split")).as("green unchanged while the apply process is"
                    + " stopped").isEqualTo(appliedBefore);

            try (Pipeline apply = new Pipeline(config, QUIET, Role.APPLY).start()) {
                assertThat(state(greenServer.postgres(), "split")).isEqualTo("running");
                try (Connection c = blue.connect("split")) {
                    RestartPipelineIT.writeChanges(c, new Random(3), 200);
                }
                Drain.await(apply, Duration.ofMinutes(3));
                Pipelines.assertGreenMatchesBlue(apply);
                assertThat(Pipelines.status(apply).deadLetters()).isZero();
                assertThat(Pipelines.status(apply).tables()).singleElement().satisfies(t ->
                        assertThat(t.snapshotRows()).as("one copy, by the capture process").isEqualTo(CountersSchema.INITIAL_ROWS));
            }
        }
    }

    @Test
    void splitRolesSayWhatIsMissing() throws Exception {
        PipelineConfig config = Pipelines.config("/counters/pipeline.yaml", work, setUp("alone", "copy"));
        BluegreenException noBroker = catchThrowableOfType(
                () -> new Pipeline(config, QUIET, Role.APPLY).start(), BluegreenException.class);
        assertThat(noBroker.code()).isEqualTo(ErrorCode.BROKER_UNAVAILABLE);
        assertThat(noBroker.getMessage()).contains("no embedded broker runs under " + config.workDir().resolve("kafka"))
                .contains("bluegreen run --role capture").contains("kafka.bootstrap");

        PipelineConfig initial = Pipelines.config("/counters/pipeline.yaml", work,
                setUp("initial", "initial"));
        for (Role role : new Role[] {Role.CAPTURE, Role.APPLY}) {
            BluegreenException refused = catchThrowableOfType(
                    () -> new Pipeline(initial, QUIET, role).start(), BluegreenException.class);
            assertThat(refused.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
            assertThat(refused.getMessage()).contains("--role " + role.name().toLowerCase(java.util.Locale.ROOT))
                    .contains("capture.snapshot copy or never").contains("--role all");
        }
        assertThat(query(blueServer.postgres(), "initial",
                "SELECT count(*)::text FROM pg_replication_slots WHERE slot_name = '" + initial.slotName() + "'"))
                .as("a refused start touches nothing on blue").isEqualTo("0");
    }

    /** Waits until blue's slot confirmed a position at or past {@code lsn}: capture released the WAL up to there. */
    private static void awaitSlotPast(LocalPostgres blue, String slot, String lsn, Pipeline capture) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        String sql = "SELECT coalesce(confirmed_flush_lsn >= '" + lsn + "'::pg_lsn, false)::text FROM pg_replication_slots"
                + " WHERE slot_name = '" + slot + "'";
        while (!"true".equals(query(blue, "split", sql))) {
            capture.checkHealthy();
            assertThat(System.nanoTime()).as("blue's slot confirmed " + lsn + " within a minute").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static String state(LocalPostgres green, String database) throws Exception {
        return query(green, database, "SELECT state || coalesce(': ' || message, '') FROM bluegreen.pipeline_state");
    }

    private static long appliedEvents(LocalPostgres green, String database) throws Exception {
        return Long.parseLong(query(green, database,
                "SELECT coalesce(sum(events_applied), 0)::text FROM bluegreen.table_progress"));
    }

    private static String query(LocalPostgres server, String database, String sql) throws Exception {
        try (Connection c = server.connect(database); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private Map<String, String> setUp(String name, String snapshot) throws Exception {
        CountersSchema.create(blueServer.postgres(), greenServer.postgres(), name);
        return Map.of("NAME", name, "WORK_DIR", work.resolve(name).toString(),
                "BLUE_URL", blueServer.postgres().jdbcUrl(name), "GREEN_URL", greenServer.postgres().jdbcUrl(name),
                "BUDGET", "0", "SNAPSHOT", snapshot);
    }
}
