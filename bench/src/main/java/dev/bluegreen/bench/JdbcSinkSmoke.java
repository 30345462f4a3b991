package dev.bluegreen.bench;

import static dev.bluegreen.bench.report.BenchSupport.intArg;

import dev.bluegreen.bench.anchor.ConnectJdbcSink;
import dev.bluegreen.bench.anchor.ConnectJdbcSinkConfig;
import dev.bluegreen.bench.anchor.ConnectJdbcSinkConfig.Mode;
import dev.bluegreen.bench.report.BenchReport;
import dev.bluegreen.testkit.LocalPostgres;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The hand-built anchor of issue 5's S1 and S2 on its own: Debezium's PostgreSQL source and the Debezium
 * JDBC sink on a Kafka Connect worker ({@link ConnectJdbcSink}).
 *
 * <p>S1 (every repetition on fresh databases): {@code pgbench -i -s SCALE} on blue, the same tables with
 * their primary keys and no rows on green ({@code pgbench -i -I dtp}), then the timed part: from the
 * source connector's creation until green's {@code pgbench_accounts} holds all {@code 100,000 x SCALE}
 * rows; then green's checksum must equal blue's, else the run aborts with {@code WRONG DATA}. Figure:
 * rows/s, through {@link BenchReport} ({@code s1-jdbc-sink}).
 *
 * <p>Streaming check ({@code --streaming}): both sides loaded by {@code pgbench -i -s SCALE} (deterministic,
 * so identical; {@code pgbench_history} gets the primary key it lacks on both), the pair started with
 * {@code snapshot.mode=no_data} on the four tables, {@code pgbench -c 2 -j 2 -T SECONDS} on blue, then the
 * time from pgbench's end until every table's checksum on green equals blue's ({@code s2-jdbc-sink-catchup}).
 *
 * <p>Arguments: {@code --scale N} (1), {@code --reps N} (5), {@code --batch ROWS} (the sink's batch size,
 * {@link ConnectJdbcSinkConfig#DEFAULT_SINK_BATCH_SIZE_ROWS}), {@code --unnest} (the sink's unnest insert, one
 * statement per batch, with its reduction buffer),
 * {@code --streaming} (also the streaming check), {@code --streaming-only}, {@code --load-seconds N} (10).
 */
public final class JdbcSinkSmoke {

    private static final String ACCOUNTS = "public.pgbench_accounts";
    private static final List<String> PGBENCH_TABLES = List.of("public.pgbench_accounts", "public.pgbench_branches",
            "public.pgbench_tellers", "public.pgbench_history");

    private final Path root;
    private final Path work;
    private final int scale;
    private final int batch;
    private final boolean unnest;

    private JdbcSinkSmoke(Path root, int scale, int batch, boolean unnest) throws IOException {
        this.root = root;
        this.work = Files.createDirectories(root.resolve("bench/target/jdbc-sink-work"));
        this.scale = scale;
        this.batch = batch;
        this.unnest = unnest;
    }

    public static void main(String[] args) throws Exception {
        List<String> a = List.of(args);
        Path root = Path.of(System.getProperty(LocalPostgres.PROJECT_ROOT_PROPERTY, ".")).toAbsolutePath().normalize();
        JdbcSinkSmoke smoke = new JdbcSinkSmoke(root, intArg(args, "--scale", 1),
                intArg(args, "--batch", ConnectJdbcSinkConfig.DEFAULT_SINK_BATCH_SIZE_ROWS), a.contains("--unnest"));
        try (LocalPostgres blue = LocalPostgres.start("bench-jdbc-blue");
             LocalPostgres green = LocalPostgres.start("bench-jdbc-green")) {
            if (!a.contains("--streaming-only")) {
                smoke.snapshot(blue, green, intArg(args, "--reps", 5));
            }
            if (a.contains("--streaming") || a.contains("--streaming-only")) {
                smoke.streaming(blue, green, intArg(args, "--load-seconds", 10));
            }
        }
    }

    private ConnectJdbcSinkConfig config(Mode mode, List<String> tables) {
        return ConnectJdbcSinkConfig.defaults(root, work.resolve("anchor"), mode, tables).withSinkBatchSizeRows(batch)
                .withUnnestInsert(unnest);
    }

    private void snapshot(LocalPostgres blue, LocalPostgres green, int reps) throws Exception {
        long rows = 100_000L * scale;
        BenchReport report = new BenchReport("s1-jdbc-sink", "snapshot of pgbench_accounts through the hand-built "
                + "Debezium PostgreSQL source -> Kafka (JSON with schemas) -> Debezium JDBC sink (upsert) pipeline");
        report.parameter("scale", scale).parameter("rows", rows).parameter("reps", reps)
                .parameter("sink batch.size", batch).parameter("unnest insert", unnest);
        BenchReport.Series rate = report.series("anchor: Debezium source + JDBC sink on Kafka Connect", "rows/s",
                "anchor");
        BenchReport.Series seconds = report.series("anchor: connector start to all rows in green", "s", "anchor");
        BenchReport.Series sourceSeconds = report.series("anchor: connector start to all rows in the topic", "s",
                "anchor");
        BenchReport.Series workerCpu = report.series("anchor: Connect worker CPU, connector start to done", "s", "anchor");
        BenchReport.Series brokerCpu = report.series("anchor: broker CPU, connector start to done", "s", "anchor");
        String db = "jdbc_s1";
        for (int rep = 1; rep <= reps; rep++) {
            try {
                blue.createDatabase(db);
                pgbench(blue, "-i", "-q", "-s", Integer.toString(scale), db);
                green.createDatabase(db);
                pgbench(green, "-i", "-q", "-I", "dtp", db);
                try (ConnectJdbcSink anchor = ConnectJdbcSink.start(config(Mode.SNAPSHOT, List.of(ACCOUNTS)), blue, db,
                        green, db)) {
                    CompletableFuture<Duration> topicFull = CompletableFuture.supplyAsync(() -> {
                        while (anchor.topicRecords(ACCOUNTS) < rows) {
                            sleepMs(200);
                        }
                        return Duration.ofNanos(System.nanoTime() - anchor.sourceStartedNanos());
                    });
                    Duration worker0 = anchor.workerCpuTime();
                    Duration broker0 = anchor.brokerCpuTime();
                    Duration took = anchor.awaitRows(ACCOUNTS, rows, Duration.ofHours(2));
                    double wcpu = anchor.workerCpuTime().minus(worker0).toMillis() / 1e3;
                    double bcpu = anchor.brokerCpuTime().minus(broker0).toMillis() / 1e3;
                    double inTopic = topicFull.get(1, TimeUnit.MINUTES).toNanos() / 1e9;
                    anchor.checkInSync();
                    double s = took.toNanos() / 1e9;
                    sourceSeconds.add(inTopic);
                    rate.add(rows / s);
                    seconds.add(s);
                    workerCpu.add(wcpu);
                    brokerCpu.add(bcpu);
                    System.out.printf(Locale.ROOT, "rep %d: %,d rows in %.2f s = %,.0f rows/s (checksums equal; all"
                            + " in the topic after %.2f s); CPU worker %.1f s, broker %.1f s; load average %.1f%n", rep, rows, s, rows / s, inTopic, wcpu,
                            bcpu, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
                }
            } finally {
                blue.execute("postgres", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
                green.execute("postgres", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
        report.note("Timed from the source connector's creation (worker and sink already RUNNING, topic empty) until "
                + "count(*) on green reached the row count (polled every 100 ms); then count + per-row MD5 sum equal "
                + "on both sides. Broker, worker and PostgreSQL servers all on this machine.");
        report.write();
    }

    private void streaming(LocalPostgres blue, LocalPostgres green, int loadSeconds) throws Exception {
        BenchReport report = new BenchReport("s2-jdbc-sink-catchup", "hand-built Debezium source + JDBC sink in "
                + "streaming mode (snapshot.mode=no_data): time from the end of pgbench on blue until green equals blue");
        report.parameter("scale", scale).parameter("load", "pgbench -c 2 -j 2 -T " + loadSeconds)
                .parameter("sink batch.size", batch).parameter("unnest insert", unnest);
        String db = "jdbc_s2";
        try {
            for (LocalPostgres server : List.of(blue, green)) {
                server.createDatabase(db);
                pgbench(server, "-i", "-q", "-s", Integer.toString(scale), db);
                server.execute(db, "ALTER TABLE pgbench_history ADD COLUMN hid bigint GENERATED BY DEFAULT AS IDENTITY"
                        + " PRIMARY KEY");
            }
            try (ConnectJdbcSink anchor = ConnectJdbcSink.start(config(Mode.STREAMING, PGBENCH_TABLES), blue, db,
                    green, db)) {
                anchor.checkInSync(); // pgbench -i is deterministic: equal before the load
                String out = pgbench(blue, "-n", "-c", "2", "-j", "2", "-T", Integer.toString(loadSeconds), db);
                long ended = System.nanoTime();
                long tx = out.lines().filter(l -> l.startsWith("number of transactions actually processed"))
                        .map(l -> Long.parseLong(l.replaceAll("\\D+", ""))).findFirst()
                        .orElseThrow(() -> new IllegalStateException("pgbench printed no transaction count:\n" + out));
                // pgbench's default script: 3 updates and 1 insert per transaction, one change event each
                CompletableFuture<Duration> inTopics = CompletableFuture.supplyAsync(() -> {
                    while (PGBENCH_TABLES.stream().mapToLong(anchor::topicRecords).sum() < 4 * tx) {
                        sleepMs(200);
                    }
                    return Duration.ofNanos(System.nanoTime() - ended);
                });
                Duration catchUp = anchor.awaitInSync(Duration.ofMinutes(30));
                double topicsMs = inTopics.get(1, TimeUnit.MINUTES).toNanos() / 1e6;
                report.series("anchor: pgbench end to green == blue (all 4 tables)", "ms", "anchor")
                        .add(catchUp.toNanos() / 1e6);
                report.series("anchor: pgbench end to all 4 x transactions change events in the topics", "ms",
                        "anchor").add(topicsMs);
                report.note("pgbench on blue: " + tx + " transactions. Checksums (count + per-row MD5 sum) of the four"
                        + " pgbench tables polled on both sides every 250 ms; resolution about 250 ms plus the reads.");
                System.out.printf(Locale.ROOT, "streaming: %,d pgbench transactions; all %,d change events in the topics"
                        + " %.0f ms and green equal to blue %.0f ms after pgbench ended%n", tx, 4 * tx, topicsMs,
                        catchUp.toNanos() / 1e6);
            }
        } finally {
            blue.execute("postgres", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            green.execute("postgres", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
        report.write();
    }

    /** Runs pgbench against the server as the superuser and returns its output; throws on a non-zero exit. */
    private String pgbench(LocalPostgres server, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(server.binDir().resolve("pgbench").toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(server.port()), "-U", LocalPostgres.SUPERUSER));
        cmd.addAll(List.of(args));
        Path log = work.resolve("pgbench.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(2, TimeUnit.HOURS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("pgbench " + String.join(" ", args) + " failed; see " + log + ":\n"
                    + Files.readString(log));
        }
        return Files.readString(log);
    }

    private static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

}
