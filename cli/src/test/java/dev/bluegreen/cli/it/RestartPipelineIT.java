package dev.bluegreen.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.cli.BluegreenCli;
import dev.bluegreen.cli.kafka.EmbeddedKafkaBroker;
import dev.bluegreen.cli.pipeline.Drain;
import dev.bluegreen.cli.pipeline.Pipeline;
import dev.bluegreen.cli.status.PipelineStatus;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.testkit.LocalPostgres;
import dev.bluegreen.testkit.LocalPostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2, restarts. Counters that are incremented, rows deleted and re-inserted: a lost change,
 * a change applied out of order or an old change applied again after a newer one would each leave
 * green different from blue.
 */
@Tag("it-postgresql")
class RestartPipelineIT {

    @RegisterExtension
    static LocalPostgresExtension blueServer = new LocalPostgresExtension("restart-blue");

    @RegisterExtension
    static LocalPostgresExtension greenServer = new LocalPostgresExtension("restart-green");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    /**
     * The pipeline process is killed (SIGKILL, with the embedded broker it started) in the middle
     * of streaming; the restart resumes from the stored positions without a new snapshot.
     */
    @Test
    void killedPipelineResumesWithoutLosingOrRepeatingChanges() throws Exception {
        LocalPostgres blue = blueServer.postgres();
        Map<String, String> env = setUp("resume", "copy");
        PipelineConfig config = Pipelines.config("/counters/pipeline.yaml", work, env);

        Process child = startChild(work.resolve("pipeline.yaml"), env);
        try (Connection c = blue.connect("resume")) {
            Random random = new Random(42);
            awaitAppliedEvents(greenServer.postgres(), "resume", CountersSchema.INITIAL_ROWS); // the snapshot
            writeChanges(c, random, 200);
            awaitAppliedEvents(greenServer.postgres(), "resume", CountersSchema.INITIAL_ROWS + 50); // streaming
            Thread.sleep(1_000); // past capture's offset flush interval: a position is stored
            writeChanges(c, random, 300);
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL mid-stream
            writeChanges(c, random, 300); // while nothing captures
        } finally {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            // the killed child could not stop the broker it started; the restart below would, but not
            // when this test fails before it
            EmbeddedKafkaBroker.stopLeftover(config.workDir());
        }

        try (Pipeline p = new Pipeline(config).start()) {
            try (Connection c = blue.connect("resume")) {
                writeChanges(c, new Random(7), 300);
            }
            Drain.await(p, Duration.ofMinutes(3));
            PipelineStatus status = Pipelines.status(p);
            assertThat(status.tables()).singleElement().satisfies(t -> assertThat(t.snapshotRows())
                    .as("no second snapshot after the restart").isEqualTo(CountersSchema.INITIAL_ROWS));
            Pipelines.assertGreenMatchesBlue(p);
            assertThat(status.deadLetters()).isZero();
        }
    }

    /**
     * With Debezium's snapshot (capture.snapshot: initial), capture lost its stored position (as after a crash before its first offset flush): Debezium
     * snapshots again, and green is rebuilt so that rows deleted on blue meanwhile do not survive.
     */
    @Test
    void lostCapturePositionRebuildsGreenFromANewSnapshot() throws Exception {
        LocalPostgres blue = blueServer.postgres();
        PipelineConfig config = Pipelines.config("/counters/pipeline.yaml", work, setUp("rebuild", "initial"));
        try (Pipeline p = new Pipeline(config).start()) {
            Pipelines.awaitSnapshotAndDrain(p, Duration.ofMinutes(3));
            try (Connection c = blue.connect("rebuild")) {
                writeChanges(c, new Random(1), 200);
            }
            Drain.await(p, Duration.ofMinutes(2));
        }
        Files.delete(config.workDir().resolve("capture/offsets.dat"));
        try (Connection c = blue.connect("rebuild")) {
            writeChanges(c, new Random(2), 300); // deletes among them reach green only through the rebuild
        }
        try (Pipeline p = new Pipeline(config).start()) {
            Pipelines.awaitSnapshotAndDrain(p, Duration.ofMinutes(3));
            Pipelines.assertGreenMatchesBlue(p);
            try (Connection c = blue.connect("rebuild"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM counters")) {
                rs.next();
                long blueRows = rs.getLong(1);
                assertThat(Pipelines.status(p).tables()).singleElement().satisfies(t ->
                        assertThat(t.snapshotRows()).as("the new snapshot's rows").isEqualTo(blueRows));
            }
        }
    }

    /**
     * Green stalls (a session holds a lock that every write to the green table waits for) for several times the
     * sink consumer's {@code max.poll.interval.ms}, set to {@value #SHORT_POLL_INTERVAL_MS} ms here (Kafka's default is
     * 5 minutes), while blue keeps changing. The sink's batch waits on the lock past the poll interval, so the
     * consumer falls out of its group; once the lock goes, the batch commits with its offsets in green, the consumer
     * rejoins, resumes from green's stored offsets, and nothing is lost or applied twice.
     */
    @Test
    void greenStalledPastThePollIntervalLosesNothing() throws Exception {
        LocalPostgres blue = blueServer.postgres();
        PipelineConfig config = Pipelines.config("/counters/pipeline.yaml", work, setUp("stall", "copy"),
                yaml -> yaml.replace("  bootstrap: embedded\n", "  bootstrap: embedded\n  properties:\n"
                        + "    max.poll.interval.ms: \"" + SHORT_POLL_INTERVAL_MS + "\"\n"));
        assertThat(config.kafka().properties()).containsEntry("max.poll.interval.ms",
                Long.toString(SHORT_POLL_INTERVAL_MS));
        try (Pipeline p = new Pipeline(config).start()) {
            Pipelines.awaitSnapshotAndDrain(p, Duration.ofMinutes(3));
            try (Connection lock = greenServer.postgres().connect("stall"); Statement st = lock.createStatement();
                 Connection c = blue.connect("stall")) {
                lock.setAutoCommit(false);
                st.execute("LOCK TABLE app.counters IN EXCLUSIVE MODE");
                writeChanges(c, new Random(11), 300);
                awaitSinkWaitingOnLock(greenServer.postgres(), "stall");
                long appliedBefore = appliedEvents(greenServer.postgres(), "stall");
                Thread.sleep(4 * SHORT_POLL_INTERVAL_MS);
                assertThat(appliedEvents(greenServer.postgres(), "stall")).as("nothing applied while green is locked")
                        .isEqualTo(appliedBefore);
                p.checkHealthy();
                lock.rollback();
                writeChanges(c, new Random(12), 300);
            }
            Drain.await(p, Duration.ofMinutes(3));
            Pipelines.assertGreenMatchesBlue(p);
            assertThat(Pipelines.status(p).deadLetters()).isZero();
        }
    }

    private static final long SHORT_POLL_INTERVAL_MS = 3_000;

    /** Waits until a green session waits on a lock: the sink's batch, behind the test's lock. */
    private static void awaitSinkWaitingOnLock(LocalPostgres green, String database) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        try (Connection c = green.connect(database); Statement st = c.createStatement()) {
            while (true) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        + " AND datname = current_database()")) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return;
                    }
                }
                assertThat(System.nanoTime()).as("the sink reached the locked table within a minute").isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    private static long appliedEvents(LocalPostgres green, String database) throws java.sql.SQLException {
        try (Connection c = green.connect(database); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(sum(events_applied), 0) FROM bluegreen.table_progress")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** @param snapshot {@code capture.snapshot}: the rebuild concerns Debezium's own snapshot ({@code initial}) */
    private Map<String, String> setUp(String name, String snapshot) throws Exception {
        CountersSchema.create(blueServer.postgres(), greenServer.postgres(), name);
        return Map.of("NAME", name, "WORK_DIR", work.resolve("pipeline").toString(),
                "BLUE_URL", blueServer.postgres().jdbcUrl(name), "GREEN_URL", greenServer.postgres().jdbcUrl(name),
                "BUDGET", "0", "SNAPSHOT", snapshot);
    }

    private Process startChild(Path configFile, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), BluegreenCli.class.getName(),
                "run", "--config", configFile.toString()));
        pb.environment().putAll(env);
        pb.redirectErrorStream(true).redirectOutput(work.resolve("child.log").toFile());
        return pb.start();
    }

    private static void awaitAppliedEvents(LocalPostgres green, String database, long atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            try {
                if (appliedEvents(green, database) >= atLeast) {
                    return;
                }
            } catch (java.sql.SQLException notYet) {
                // the control schema appears once the child has started
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the pipeline child applied fewer than " + atLeast + " events in 3 minutes");
    }

    /** Random increments, deletes and re-inserts, each its own transaction. */
    static void writeChanges(Connection c, Random random, int count) throws Exception {
        try (PreparedStatement inc = c.prepareStatement("UPDATE counters SET n = n + 1, amount = amount + 0.01 WHERE id = ?");
             PreparedStatement del = c.prepareStatement("DELETE FROM counters WHERE id = ?");
             PreparedStatement ins = c.prepareStatement("INSERT INTO counters (id, n, amount, label) VALUES (?, 0, 1.00, 'x')"
                     + " ON CONFLICT (id) DO NOTHING")) {
            for (int i = 0; i < count; i++) {
                int id = 1 + random.nextInt(CountersSchema.INITIAL_ROWS * 2);
                int op = random.nextInt(10);
                PreparedStatement ps = op < 7 ? inc : op < 8 ? del : ins;
                ps.setInt(1, id);
                ps.executeUpdate();
            }
        }
    }
}
