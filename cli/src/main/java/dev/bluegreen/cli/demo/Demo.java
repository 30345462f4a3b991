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
import dev.bluegreen.testkit.LocalPgBouncer;
import dev.bluegreen.testkit.LocalPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;

/**
 * The demo: throwaway blue and green servers, pgbench's schema on blue, an overhauled schema on
 * green (Flyway migrations shipped in this package), the pipeline with an embedded broker,
 * {@code pgbench} write load, drain, a full comparison through the mapping; then, once green matched,
 * the cutover ({@link DemoCutover}): a real PgBouncer in front of blue, {@code bluegreen verify} and
 * {@code bluegreen cutover} while a probe application writes through PgBouncer; a summary, clean-up.
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
     * @param work the demo's work folder; wiped at start, and at the end but for the reports (unless --keep)
     * @param scale pgbench scale factor (100,000 accounts each)
     * @param loadSeconds pgbench load duration (s)
     * @param clients pgbench clients
     * @param keep leave servers, PgBouncer and data in place (they outlive the JVM)
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
     * @return true when every proof held: green matched blue through the mapping, verify found parity,
     *     the cutover flipped, the probe application saw no error and green holds every write blue
     *     acknowledged to it
     * @throws Exception when a step fails; servers are stopped first (unless --keep)
     */
    public boolean run() throws Exception {
        Path servers = work.resolve("servers");
        LocalPgBouncer.stopAll(servers, home); // left running by an earlier demo with --keep
        LocalPostgres.stopOrphans(servers, home);
        DemoFiles.wipe(work);
        Files.createDirectories(work);
        LocalPostgres blue = null;
        LocalPostgres green = null;
        try {
            long t = System.nanoTime();
            say("starting throwaway PostgreSQL servers (blue and green) under " + work);
            blue = LocalPostgres.start("blue", servers, home);
            green = LocalPostgres.start("green", servers, home);
            summary.time("servers started", t);
            return runOn(blue, green);
        } finally {
            if (!keep) {
                closeQuietly(blue);
                closeQuietly(green);
                DemoFiles.wipeAllBut(work, DemoCutover.REPORTS);
            } else {
                keepRunning(blue);
                keepRunning(green);
                say("--keep: servers left running on ports " + (blue == null ? "?" : blue.port()) + " (blue) and "
                        + (green == null ? "?" : green.port()) + " (green); data under " + work
                        + "; the next ./bluegreen demo with this work folder stops them");
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
        Path configFile = work.resolve("demo.yaml");
        PipelineConfig config = config(configFile, blue, green);
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
            compare(pipeline);
            if (summary.ok()) {
                cutover(pipeline, configFile, blue, green);
            }
        }
        summary.print();
        return summary.ok();
    }

    private void cutover(Pipeline pipeline, Path configFile, LocalPostgres blue, LocalPostgres green) throws Exception {
        try (DemoCutover cutover = DemoCutover.prepare(home, work, configFile, blue, green, summary, keep)) {
            if (cutover.verify()) {
                cutover.cutoverUnderProbe(pipeline);
            }
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

    private void compare(Pipeline pipeline) throws SQLException {
        say("comparing every blue row, run through the mapping, with green");
        long t = System.nanoTime();
        List<ComparisonResult> results = new ArrayList<>();
        for (TableMapping m : pipeline.config().tables()) {
            results.add(FullComparison.compare(pipeline.blue(), pipeline.green(),
                    pipeline.validated().blueTables().get(m.blue()), pipeline.validated().transforms().get(m.blue()), 5));
        }
        summary.time("full comparison", t);
        summary.parity(results, status(pipeline).deadLetters());
    }

    /** Writes the complete config file (ports filled in) and loads it. */
    private PipelineConfig config(Path file, LocalPostgres blue, LocalPostgres green) throws IOException {
        DemoConfigFile.write(file, Map.of("BLUE_PORT", Integer.toString(blue.port()),
                "GREEN_PORT", Integer.toString(green.port())));
        say("pipeline config: " + file);
        return new PipelineConfigLoader().load(file);
    }

    private static PipelineStatus status(Pipeline pipeline) throws SQLException {
        try (Connection c = pipeline.green().getConnection()) {
            return PipelineStatus.read(c, pipeline.config().name(), System.currentTimeMillis());
        }
    }

    static void say(String text) {
        System.out.println("==> " + text);
    }

    private static void keepRunning(LocalPostgres server) {
        if (server != null) {
            server.keepRunning();
        }
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
