package dev.bluegreen.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.cli.BluegreenCli;
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
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2: the pipeline process is killed (SIGKILL) in the middle of streaming, together with the
 * embedded broker it started; a restart resumes from the stored offsets without a new snapshot,
 * and green ends equal to blue: no change lost, none applied out of order or twice (counters that
 * are incremented, rows deleted and re-inserted would show either).
 */
@Tag("it-postgresql")
class RestartPipelineIT {

    @RegisterExtension
    static LocalPostgresExtension blueServer = new LocalPostgresExtension("restart-blue");

    @RegisterExtension
    static LocalPostgresExtension greenServer = new LocalPostgresExtension("restart-green");

    @TempDir
    Path work;

    @Test
    void killedPipelineResumesWithoutLosingOrRepeatingChanges() throws Exception {
        LocalPostgres blue = blueServer.postgres();
        LocalPostgres green = greenServer.postgres();
        CountersSchema.create(blue, green, "restart");
        Map<String, String> env = Map.of("WORK_DIR", work.resolve("pipeline").toString(),
                "BLUE_URL", blue.jdbcUrl("restart"), "GREEN_URL", green.jdbcUrl("restart"), "BUDGET", "0");
        PipelineConfig config = Pipelines.config("/counters/pipeline.yaml", work, env);
        Path configFile = work.resolve("pipeline.yaml");

        Process child = startChild(configFile, env);
        try (Connection c = blue.connect("restart")) {
            Random random = new Random(42);
            writeChanges(c, random, 300);
            awaitAppliedEvents(green, 200);
            writeChanges(c, random, 300);
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL mid-stream
            writeChanges(c, random, 300); // while nothing captures
        } finally {
            child.destroyForcibly();
        }

        try (Pipeline p = new Pipeline(config).start()) {
            try (Connection c = blue.connect("restart")) {
                writeChanges(c, new Random(7), 300);
            }
            Drain.await(p, Duration.ofMinutes(2));
            Pipelines.assertGreenMatchesBlue(p);
            PipelineStatus status = Pipelines.status(p);
            assertThat(status.tables()).singleElement().satisfies(t ->
                    assertThat(t.snapshotRows()).as("no second snapshot after the restart").isEqualTo(CountersSchema.INITIAL_ROWS));
            assertThat(status.deadLetters()).isZero();
        }
    }

    private Process startChild(Path configFile, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), BluegreenCli.class.getName(),
                "run", "--config", configFile.toString()));
        pb.environment().putAll(env);
        pb.redirectErrorStream(true).redirectOutput(work.resolve("child.log").toFile());
        Process p = pb.start();
        assertThat(Files.exists(configFile)).isTrue();
        return p;
    }

    private static void awaitAppliedEvents(LocalPostgres green, long atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            try (Connection c = green.connect("restart"); Statement st = c.createStatement();
                 var rs = st.executeQuery("SELECT coalesce(sum(events_applied), 0) FROM bluegreen.table_progress")) {
                if (rs.next() && rs.getLong(1) >= atLeast) {
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
