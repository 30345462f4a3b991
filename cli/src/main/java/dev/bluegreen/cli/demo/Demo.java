package dev.bluegreen.cli.demo;

import dev.bluegreen.cli.pipeline.Drain;
import dev.bluegreen.cli.pipeline.Pipeline;
import dev.bluegreen.cli.status.PipelineStatus;
import dev.bluegreen.cli.status.SnapshotProgressBar;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.config.PipelineConfigLoader;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.cutover.parity.ComparisonResult;
import dev.bluegreen.cutover.parity.FullComparison;
import dev.bluegreen.testkit.LocalPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;

/**
 * The demo: throwaway blue and green servers, pgbench's schema on blue, an overhauled schema on
 * green (Flyway migrations shipped in this package), the pipeline with an embedded broker,
 * {@code pgbench} write load, drain, a full comparison through the mapping, a summary, clean-up.
 * Prints what it does as it goes. Not thread-safe; run once.
 */
public final class Demo {

    private final Path home;
    private final Path work;
    private final int scale;
    private final int loadSeconds;
    private final int clients;
    private final boolean keep;
    private final DemoSummary summary = new DemoSummary();

    /**
     * @param home the bluegreen folder (holds {@code deploy/local/postgres.sh})
     * @param work the demo's work folder; wiped at start
     * @param scale pgbench scale factor (100,000 accounts each)
     * @param loadSeconds pgbench load duration (s)
     * @param clients pgbench clients
     * @param keep leave servers and data in place
     */
    public Demo(Path home, Path work, int scale, int loadSeconds, int clients, boolean keep) {
        this.home = home;
        this.work = work;
        this.scale = scale;
        this.loadSeconds = loadSeconds;
        this.clients = clients;
        this.keep = keep;
    }

    /**
     * Runs the demo.
     *
     * @return true when green matched blue through the mapping
     * @throws Exception when a step fails; servers are stopped first (unless --keep)
     */
    public boolean run() throws Exception {
        DemoFiles.wipe(work);
        Files.createDirectories(work);
        LocalPostgres blue = null;
        LocalPostgres green = null;
        try {
            long t = System.nanoTime();
            say("starting throwaway PostgreSQL servers (blue and green) under " + work);
            blue = LocalPostgres.start("blue", work.resolve("servers"), home);
            green = LocalPostgres.start("green", work.resolve("servers"), home);
            summary.time("servers started", t);
            return runOn(blue, green);
        } finally {
            if (!keep) {
                closeQuietly(blue);
                closeQuietly(green);
                DemoFiles.wipe(work);
            } else {
                say("--keep: servers left running on ports " + (blue == null ? "?" : blue.port()) + " (blue) and "
                        + (green == null ? "?" : green.port()) + " (green); data under " + work);
            }
        }
    }

    private boolean runOn(LocalPostgres blue, LocalPostgres green) throws Exception {
        long t = System.nanoTime();
        blue.createDatabase("bench");
        green.createDatabase("bench");
        say("loading pgbench scale " + scale + " into blue (" + (scale * 100_000L) + " accounts)");
        Pgbench pgbench = new Pgbench(blue.binDir(), blue.port(), work);
        pgbench.initialize(scale);
        // pgbench_history has no key on blue: add the one bluegreen's validation asks for
        blue.execute("bench", "ALTER TABLE pgbench_history ADD COLUMN hid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY");
        summary.time("pgbench -i", t);
        t = System.nanoTime();
        say("creating green's overhauled schema with Flyway (schema 'bank')");
        Flyway.configure().dataSource(green.jdbcUrl("bench"), "postgres", "")
                .locations("classpath:dev/bluegreen/cli/demo/green").schemas("bank").load().migrate();
        summary.time("green schema", t);
        PipelineConfig config = config(blue, green);
        try (Pipeline pipeline = new Pipeline(config)) {
            t = System.nanoTime();
            say("starting the pipeline (embedded Kafka broker, Debezium capture, sink)");
            pipeline.start();
            summary.time("pipeline start", t);
            snapshot(pipeline);
            load(pipeline, pgbench);
            t = System.nanoTime();
            say("waiting until every change committed on blue is in green");
            long drainMs = Drain.await(pipeline, Duration.ofMinutes(3));
            summary.figure("drain after load", drainMs + " ms");
            return compare(pipeline);
        }
    }

    private void snapshot(Pipeline pipeline) throws Exception {
        long t = System.nanoTime();
        say("initial snapshot of blue into green");
        try (SnapshotProgressBar bar = new SnapshotProgressBar(pipeline)) {
            while (!status(pipeline).snapshotDone()) {
                pipeline.checkHealthy();
                bar.update();
                Thread.sleep(250);
            }
            bar.update();
        }
        Drain.await(pipeline, Duration.ofMinutes(5));
        double seconds = (System.nanoTime() - t) / 1e9;
        long rows = status(pipeline).tables().stream().mapToLong(PipelineStatus.TableStatus::snapshotRows).sum();
        summary.time("snapshot", t);
        summary.figure("snapshot rows", rows + " rows, " + Math.round(rows / seconds) + " rows/s");
    }

    private void load(Pipeline pipeline, Pgbench pgbench) throws Exception {
        say("running pgbench -c " + clients + " -T " + loadSeconds + " against blue while the pipeline replicates");
        long appliedBefore = pipeline.appliedEvents();
        long t = System.nanoTime();
        Process load = pgbench.startLoad(clients, loadSeconds);
        LagSampler lag = new LagSampler(pipeline);
        while (load.isAlive()) {
            pipeline.checkHealthy();
            lag.sample();
            lag.printEvery(5_000, pipeline);
            Thread.sleep(100);
        }
        double seconds = (System.nanoTime() - t) / 1e9;
        if (load.exitValue() != 0) {
            throw new IllegalStateException("pgbench failed (exit " + load.exitValue() + "); see " + pgbench.logFile());
        }
        long events = pipeline.appliedEvents() - appliedBefore;
        summary.figure("pgbench", pgbench.tps() + " tps on blue");
        summary.figure("streaming apply", events + " events, " + Math.round(events / seconds) + " events/s");
        summary.figure("lag (heartbeat, blue commit -> green apply)", lag.describe());
    }

    private boolean compare(Pipeline pipeline) throws SQLException {
        say("comparing every blue row, run through the mapping, with green");
        long t = System.nanoTime();
        boolean all = true;
        List<ComparisonResult> results = new ArrayList<>();
        for (TableMapping m : pipeline.config().tables()) {
            ComparisonResult r = FullComparison.compare(pipeline.blue(), pipeline.green(),
                    pipeline.validated().blueTables().get(m.blue()), pipeline.validated().transforms().get(m.blue()), 5);
            results.add(r);
            all &= r.matches();
        }
        summary.time("full comparison", t);
        summary.print(results, status(pipeline));
        return all;
    }

    private PipelineConfig config(LocalPostgres blue, LocalPostgres green) throws IOException {
        Path file = work.resolve("demo.yaml");
        try (InputStream in = Demo.class.getResourceAsStream("demo.yaml")) {
            Files.writeString(file, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        Map<String, String> env = Map.of("BLUE_PORT", Integer.toString(blue.port()),
                "GREEN_PORT", Integer.toString(green.port()));
        say("pipeline config: " + file);
        return new PipelineConfigLoader(v -> env.getOrDefault(v, System.getenv(v))).load(file);
    }

    private static PipelineStatus status(Pipeline pipeline) throws SQLException {
        try (Connection c = pipeline.green().getConnection()) {
            return PipelineStatus.read(c, pipeline.config().name(), System.currentTimeMillis());
        }
    }

    static void say(String text) {
        System.out.println("==> " + text);
    }

    private static void closeQuietly(LocalPostgres server) {
        if (server != null) {
            try {
                server.close();
            } catch (RuntimeException e) {
                System.err.println("warning: stopping " + server + " failed: " + e.getMessage());
            }
        }
    }
}
