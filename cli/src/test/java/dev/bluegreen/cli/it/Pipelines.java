package dev.bluegreen.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.cli.pipeline.Drain;
import dev.bluegreen.cli.pipeline.Pipeline;
import dev.bluegreen.cli.status.PipelineStatus;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.config.PipelineConfigLoader;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.cutover.parity.ComparisonResult;
import dev.bluegreen.cutover.parity.FullComparison;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/** Plain helpers for pipeline integration tests (not a test base class). */
public final class Pipelines {

    private Pipelines() {
    }

    /** Writes a test resource config with {@code ${VAR}} replaced from {@code env} into {@code dir}, and loads it. */
    public static PipelineConfig config(String resource, Path dir, Map<String, String> env) throws IOException {
        return config(resource, dir, env, yaml -> yaml);
    }

    /** Like {@link #config(String, Path, Map)}, with the file's text changed by {@code edit} before it is written. */
    public static PipelineConfig config(String resource, Path dir, Map<String, String> env,
                                        java.util.function.UnaryOperator<String> edit) throws IOException {
        Path file = dir.resolve(Path.of(resource).getFileName().toString());
        try (InputStream in = Pipelines.class.getResourceAsStream(resource)) {
            String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (Map.Entry<String, String> e : env.entrySet()) {
                yaml = yaml.replace("${" + e.getKey() + "}", e.getValue()); // a complete file for CLI commands
            }
            Files.writeString(file, edit.apply(yaml));
        }
        return new PipelineConfigLoader(v -> env.get(v)).load(file);
    }

    /** Waits until every table's snapshot is done and everything committed on blue is applied. */
    public static void awaitSnapshotAndDrain(Pipeline p, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!status(p).snapshotDone()) {
            p.checkHealthy();
            assertThat(System.nanoTime()).as("snapshot finished in time").isLessThan(deadline);
            Thread.sleep(200);
        }
        Drain.await(p, timeout);
    }

    public static PipelineStatus status(Pipeline p) throws SQLException {
        try (Connection c = p.green().getConnection()) {
            return PipelineStatus.read(c, p.config().name(), System.currentTimeMillis());
        }
    }

    /** Runs {@code bluegreen status --config FILE}, asserts exit code 0, echoes and returns what it printed. */
    public static String statusOutput(Path config) {
        java.io.PrintStream original = System.out;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(dev.bluegreen.cli.BluegreenCli.execute("status", "--config", config.toString())).isZero();
        } finally {
            System.setOut(original);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        original.print(text); // in the test report, for whoever reads a failure
        return text;
    }

    /** Compares every mapped table through the mapping and asserts green matches. */
    public static List<ComparisonResult> assertGreenMatchesBlue(Pipeline p) throws SQLException {
        List<ComparisonResult> results = new ArrayList<>();
        for (TableMapping m : p.config().tables()) {
            ComparisonResult r = FullComparison.compare(p.blue(), p.green(),
                    p.validated().blueTables().get(m.blue()), p.validated().transforms().get(m.blue()), 10);
            results.add(r);
        }
        assertThat(results).allSatisfy(r -> assertThat(r.matches()).as(r + " " + r.samples()).isTrue());
        return results;
    }

    /**
     * The datasets folder: system property {@code bluegreen.datasets}, else {@code ../shared/datasets}
     * beside the project root. Missing: a failure under CI ({@code CI=true}), else the test is skipped.
     */
    public static Path datasets() {
        String prop = System.getProperty("bluegreen.datasets");
        Path root = Path.of(System.getProperty("bluegreen.project.root", "..")).toAbsolutePath().normalize();
        Path dir = prop != null ? Path.of(prop) : root.resolve("../shared/datasets").normalize();
        if (!Files.isDirectory(dir)) {
            String msg = "datasets folder " + dir + " is missing (set -Dbluegreen.datasets=DIR)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(msg + "; under CI it must be there");
            }
            Assumptions.abort(msg);
        }
        return dir;
    }

    /** Waits until the initial copy is done (the sink has started and every table's copy is marked done). */
    public static void awaitBackfill(Pipeline p, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (p.backfillRunning() || !status(p).snapshotDone()) {
            p.checkHealthy();
            assertThat(System.nanoTime()).as("backfill finished in time").isLessThan(deadline);
            Thread.sleep(100);
        }
        p.checkHealthy();
    }

    /** Starts {@code bluegreen run --config FILE} in a child JVM (its output in {@code log}), for kill tests. */
    public static Process startChild(Path configFile, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), dev.bluegreen.cli.BluegreenCli.class.getName(),
                "run", "--config", configFile.toString()));
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }

    /** The backfill chunks green has marked copied, with the time each was: chunk number to copied_at. */
    public static Map<Integer, java.sql.Timestamp> copiedChunks(Connection green) throws SQLException {
        Map<Integer, java.sql.Timestamp> out = new java.util.HashMap<>();
        try (java.sql.Statement st = green.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT chunk_no, copied_at FROM bluegreen.backfill_chunk"
                     + " WHERE copied_at IS NOT NULL")) {
            while (rs.next()) {
                out.put(rs.getInt(1), rs.getTimestamp(2));
            }
        }
        return out;
    }

    /** Waits (3 min at most) until the child has copied at least {@code atLeast} chunks into green. */
    public static void awaitCopiedChunks(java.util.concurrent.Callable<Connection> green, int atLeast, Process child,
                                         Path log) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            assertThat(child.isAlive()).as("the pipeline child runs (see " + log + ")").isTrue();
            try (Connection g = green.call()) {
                if (copiedChunks(g).size() >= atLeast) {
                    return;
                }
            } catch (SQLException notYet) {
                // the control schema appears once the child has started
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the child copied fewer than " + atLeast + " chunks in 3 minutes");
    }

    /**
     * Runs {@code bluegreen verify --config FILE --report DIR --no-progress [more...]} and returns its exit code
     * (0 parity, 1 mismatch, 2 error).
     */
    public static int verify(Path configFile, Path report, String... more) {
        List<String> args = new ArrayList<>(List.of("verify", "--config", configFile.toString(), "--report",
                report.toString()));
        args.addAll(List.of(more));
        args.add("--no-progress");
        return dev.bluegreen.cli.BluegreenCli.execute(args.toArray(String[]::new));
    }

    /** One writer's batch of changes on blue; returns the rows it changed (a count for the test's bounds). */
    @FunctionalInterface
    public interface WriteBatch {
        long write(Connection blue, java.util.Random random) throws SQLException;
    }

    /**
     * Starts two writer threads, each on its own blue connection with its own seeded random, writing batches
     * 5 ms apart until {@code stop} is set, and adding what each batch changed to {@code writes}.
     */
    public static List<Thread> startWriters(java.util.concurrent.Callable<Connection> connect, WriteBatch batch,
                                            java.util.concurrent.atomic.AtomicBoolean stop,
                                            java.util.concurrent.atomic.AtomicLong writes) {
        List<Thread> out = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int seed = w;
            Thread t = new Thread(() -> {
                try (Connection c = connect.call()) {
                    java.util.Random random = new java.util.Random(seed);
                    while (!stop.get()) {
                        writes.addAndGet(batch.write(c, random));
                        Thread.sleep(5);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("writer failed", e);
                }
            }, "blue-writer-" + w);
            t.start();
            out.add(t);
        }
        return out;
    }
}
