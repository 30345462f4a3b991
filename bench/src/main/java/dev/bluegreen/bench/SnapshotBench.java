package dev.bluegreen.bench;

import static dev.bluegreen.bench.report.BenchSupport.intArg;
import static dev.bluegreen.bench.report.BenchSupport.listArg;

import dev.bluegreen.bench.report.BenchReport;
import dev.bluegreen.cli.kafka.EmbeddedKafkaBroker;
import dev.bluegreen.testkit.LocalPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Issue 5, S1: how fast bluegreen's initial copy ({@code capture.snapshot: copy}) moves {@code pgbench_accounts}
 * from blue to green, against the raw binary COPY pipe between the same two servers in the same run:
 * {@code psql -c "COPY pgbench_accounts TO STDOUT (FORMAT binary)" | psql -c "COPY pgbench_accounts FROM STDIN
 * (FORMAT binary)"} into an empty table with its primary key (the ceiling any copy can reach here).
 *
 * <p>Contenders, each into a freshly created, empty green table with its primary key, interleaved with the
 * first one rotating per repetition:
 * <ul>
 *   <li>{@code pipe}: the anchor above;</li>
 *   <li>{@code identity}: bluegreen, identity mapping ({@code path: auto} pipes the rows unchanged);</li>
 *   <li>{@code identity-rows}: bluegreen, identity mapping forced through the per-row path ({@code path: rows}:
 *       binary COPY decoded, mapped, encoded as COPY text);</li>
 *   <li>{@code transform}: bluegreen with renames, a cast and a computed column ({@code aid → account_id
 *       bigint}, {@code bid → branch_id}, {@code abalance} dropped, {@code balance_cents = abalance * 100}) into
 *       an overhauled green table.</li>
 * </ul>
 * bluegreen runs as {@code bluegreen run} (the shipped jar, a child process, one shared Kafka broker; the runs,
 * the pipeline config and the check are {@link SnapshotRuns}', which the MariaDB twin {@link MariaDbSnapshotBench}
 * shares); its figure is the copy itself, from the plan's commit to the done mark ({@code bluegreen.backfill.started_at} to
 * {@code finished_at} in green), so JVM and broker start-up are not counted. Peak RSS of each child
 * ({@code VmHWM}) is recorded too (S6). After every run the green table's row count and sum of the balance
 * must equal blue's, else the run aborts with {@code WRONG DATA}.
 *
 * <p>Arguments: {@code --scale N} (pgbench scale, default 50 = 5,000,000 rows), {@code --reps N} (default 5),
 * {@code --parallelism N} (bluegreen's workers, default 4, the product default), {@code --contenders a,b} (a subset, for
 * exploring; ratios and targets need all four; {@code jdbc-sink} adds the hand-built Debezium + JDBC sink
 * pipeline on a Kafka Connect worker, {@link dev.bluegreen.bench.anchor.ConnectJdbcSink}), {@code --jfr} (profile each bluegreen child and
 * summarise where its CPU went in the notes). Results: stdout and {@code bench/target/results/}.
 */
public final class SnapshotBench {

    private static final List<String> ALL = List.of("pipe", "identity", "identity-rows", SnapshotRuns.TRANSFORM);
    /** Opt-in ({@code --contenders ...,jdbc-sink}): at 4-7k rows/s it needs a small scale. */
    private static final String JDBC_SINK = "jdbc-sink";

    private final Path root;
    private final SnapshotRuns runs;

    private SnapshotBench(Path root, int parallelism, boolean jfr) throws IOException {
        this.root = root;
        this.runs = new SnapshotRuns(root, root.resolve("bench/target/snapshot-work"), parallelism, jfr);
    }

    public static void main(String[] args) throws Exception {
        int scale = intArg(args, "--scale", 50);
        int reps = intArg(args, "--reps", 5);
        List<String> allowed = new ArrayList<>(ALL);
        allowed.add(JDBC_SINK);
        List<String> contenders = listArg(args, "--contenders", ALL, allowed);
        SnapshotBench bench = new SnapshotBench(SnapshotRuns.projectRoot(), intArg(args, "--parallelism", 4),
                List.of(args).contains("--jfr"));
        BenchReport report = new BenchReport("s1-snapshot", "initial copy of pgbench_accounts: bluegreen vs the raw"
                + " binary COPY pipe").parameter("scale", scale).parameter("rows", scale * 100_000L)
                .parameter("repetitions", reps).parameter("bluegreen workers", bench.runs.parallelism());
        try (LocalPostgres blue = LocalPostgres.start("bench-s1-blue");
             LocalPostgres green = LocalPostgres.start("bench-s1-green");
             EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(bench.runs.work().resolve("kafka"))) {
            blue.createDatabase("bench");
            bench.pgbench(blue, "-i", "-q", "-s", Integer.toString(scale), "bench");
            blue.execute("bench", "VACUUM (FREEZE, ANALYZE)");
            long[] expected;
            try (Connection c = blue.connect("bench")) {
                expected = SnapshotRuns.sums(c, "SELECT count(*), sum(abalance) FROM pgbench_accounts");
            }
            bench.runs.interleave(report, reps, contenders, green, expected, SnapshotBench::label,
                    c -> c.equals("pipe") || c.equals(JDBC_SINK), (c, db) -> c.equals("pipe") ? bench.pipe(blue, green, db)
                            : c.equals(JDBC_SINK) ? bench.jdbcSink(db, blue, green, expected[0])
                            : bench.bluegreen(c, db, blue, green, broker.bootstrapServers()));
        }
        if (contenders.contains(JDBC_SINK)) {
            report.ratio("jdbc-sink / pipe", label(JDBC_SINK), label("pipe"));
            if (contenders.contains(SnapshotRuns.TRANSFORM)) {
                report.ratio("transform / jdbc-sink", label(SnapshotRuns.TRANSFORM), label(JDBC_SINK));
            }
            report.note("jdbc-sink: Debezium's snapshot through Kafka (JSON with schemas) into the Debezium JDBC sink"
                    + " (upsert, batch 5,000) on a Kafka Connect worker JVM, timed from the source connector's creation"
                    + " until green holds every row (bench/src/main/java/dev/bluegreen/bench/anchor/)");
        }
        if (!contenders.containsAll(ALL)) {
            report.write();
            return;
        }
        double identity = report.ratio("identity / pipe", label("identity"), label("pipe"));
        double rows = report.ratio("identity-rows / pipe", label("identity-rows"), label("pipe"));
        double transform = report.ratio("transform / pipe", label(SnapshotRuns.TRANSFORM), label("pipe"));
        report.target("S1 identity mapping >= 0.5 x raw COPY pipe", identity >= 0.5, String.format(Locale.ROOT, "%.2f", identity));
        report.target("S1 renames + computed column >= 0.5 x raw COPY pipe", transform >= 0.5,
                String.format(Locale.ROOT, "%.2f", transform));
        report.note(String.format(Locale.ROOT, "identity forced through the per-row path: %.2f x the pipe", rows));
        bench.runs.write(report, "psql | psql", ALL.subList(1, ALL.size()));
    }

    private static String label(String contender) {
        return switch (contender) {
            case "pipe" -> "raw binary COPY pipe (psql to psql)";
            case "identity" -> "bluegreen copy, identity mapping (path auto: piped)";
            case "identity-rows" -> "bluegreen copy, identity mapping (path rows: decoded + mapped)";
            case SnapshotRuns.TRANSFORM -> "bluegreen copy, renames + cast + computed column";
            case JDBC_SINK -> "Debezium snapshot + JDBC sink on Kafka Connect";
            default -> contender;
        };
    }

    private SnapshotRuns.Run pipe(LocalPostgres blue, LocalPostgres green, String db) throws Exception {
        String psql = blue.binDir().resolve("psql").toString();
        return runs.shell("pipe", psql + " -X -q -h 127.0.0.1 -p " + blue.port() + " -U postgres -d bench -c"
                + " 'COPY pgbench_accounts TO STDOUT (FORMAT binary)' | " + psql + " -X -q -h 127.0.0.1 -p "
                + green.port() + " -U postgres -d " + db + " -v ON_ERROR_STOP=1 -c"
                + " 'COPY pgbench_accounts FROM STDIN (FORMAT binary)'");
    }

    private SnapshotRuns.Run jdbcSink(String db, LocalPostgres blue, LocalPostgres green, long rows) throws Exception {
        var cfg = dev.bluegreen.bench.anchor.ConnectJdbcSinkConfig.defaults(root, runs.work().resolve(db + "-connect"),
                dev.bluegreen.bench.anchor.ConnectJdbcSinkConfig.Mode.SNAPSHOT, List.of("public.pgbench_accounts"));
        try (var anchor = dev.bluegreen.bench.anchor.ConnectJdbcSink.start(cfg, blue, "bench", green, db)) {
            java.time.Duration took = anchor.awaitRows("public.pgbench_accounts", rows, java.time.Duration.ofHours(2));
            return new SnapshotRuns.Run(took.toMillis(), 0);
        }
    }

    private SnapshotRuns.Run bluegreen(String contender, String db, LocalPostgres blue, LocalPostgres green,
                                       String kafka) throws Exception {
        String yaml = runs.pipelineYaml(contender, db, blue.jdbcUrl("bench"), "postgres", "public.pgbench_accounts",
                green.jdbcUrl(db), kafka, contender.equals("identity-rows") ? "rows" : "auto");
        try {
            return runs.bluegreen(db, yaml, green);
        } finally {
            blue.execute("bench", "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                    + " WHERE slot_name = 'bluegreen_" + db + "'");
            blue.execute("bench", "DROP PUBLICATION IF EXISTS bluegreen_" + db);
        }
    }

    private void pgbench(LocalPostgres server, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(server.binDir().resolve("pgbench").toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(server.port()), "-U", "postgres"));
        cmd.addAll(List.of(args));
        Path log = runs.work().resolve("pgbench.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("pgbench " + String.join(" ", args) + " failed; see " + log);
        }
    }
}
