package dev.bluegreen.bench;

import static dev.bluegreen.bench.report.BenchSupport.intArg;
import static dev.bluegreen.bench.report.BenchSupport.deleteTree;

import dev.bluegreen.bench.report.BenchReport;
import dev.bluegreen.bench.report.BenchSupport;
import dev.bluegreen.cli.kafka.EmbeddedKafkaBroker;
import dev.bluegreen.testkit.LocalPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

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
 * bluegreen runs as {@code bluegreen run} (the shipped jar, a child process, one shared Kafka broker); its
 * figure is the copy itself, from the plan's commit to the done mark ({@code bluegreen.backfill.started_at} to
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

    private static final List<String> ALL = List.of("pipe", "identity", "identity-rows", "transform");
    /** Opt-in ({@code --contenders ...,jdbc-sink}): at 4-7k rows/s it needs a small scale. */
    private static final String JDBC_SINK = "jdbc-sink";

    private final Path root;
    private final Path jar;
    private final Path work;
    private final int parallelism;
    private final boolean jfr;
    private final List<Path> recordings = new ArrayList<>();

    private SnapshotBench(Path root, int parallelism, boolean jfr) throws IOException {
        this.jfr = jfr;
        this.root = root;
        this.jar = root.resolve("cli/target/bluegreen.jar");
        this.work = Files.createDirectories(root.resolve("bench/target/snapshot-work"));
        this.parallelism = parallelism;
    }

    public static void main(String[] args) throws Exception {
        int scale = intArg(args, "--scale", 50);
        int reps = intArg(args, "--reps", 5);
        List<String> contenders = listArg(args, "--contenders", ALL);
        SnapshotBench bench = new SnapshotBench(Path.of(System.getProperty("bluegreen.project.root", "."))
                .toAbsolutePath().normalize(), intArg(args, "--parallelism", 4), List.of(args).contains("--jfr"));
        BenchReport report = new BenchReport("s1-snapshot", "initial copy of pgbench_accounts: bluegreen vs the raw"
                + " binary COPY pipe").parameter("scale", scale).parameter("rows", scale * 100_000L)
                .parameter("repetitions", reps).parameter("bluegreen workers", bench.parallelism);
        try (LocalPostgres blue = LocalPostgres.start("bench-s1-blue");
             LocalPostgres green = LocalPostgres.start("bench-s1-green");
             EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(bench.work.resolve("kafka"))) {
            blue.createDatabase("bench");
            bench.pgbench(blue, "-i", "-q", "-s", Integer.toString(scale), "bench");
            blue.execute("bench", "VACUUM (FREEZE, ANALYZE)");
            long[] expected = checksum(blue, "bench", "SELECT count(*), sum(abalance) FROM pgbench_accounts");
            for (int rep = 1; rep <= reps; rep++) {
                for (int i = 0; i < contenders.size(); i++) {
                    String c = contenders.get((i + rep - 1) % contenders.size());
                    Run r = bench.run(c, rep, blue, green, broker.bootstrapServers(), expected);
                    double rowsPerSecond = expected[0] * 1000.0 / r.ms();
                    System.out.printf(Locale.ROOT, "rep %d %-14s %,10.0f rows/s (%,d ms)%s%n", rep, c, rowsPerSecond,
                            r.ms(), r.peakRssMiB() > 0 ? String.format(Locale.ROOT, ", peak RSS %.0f MiB", r.peakRssMiB()) : "");
                    report.series(label(c), "rows/s", c.equals("pipe") || c.equals(JDBC_SINK) ? "anchor" : "bluegreen")
                            .add(rowsPerSecond);
                    if (r.peakRssMiB() > 0) {
                        report.series("peak RSS of bluegreen run (" + c + ")", "MiB", "bluegreen").add(r.peakRssMiB());
                    }
                }
            }
        }
        if (contenders.contains(JDBC_SINK)) {
            report.ratio("jdbc-sink / pipe", label(JDBC_SINK), label("pipe"));
            if (contenders.contains("transform")) {
                report.ratio("transform / jdbc-sink", label("transform"), label(JDBC_SINK));
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
        double transform = report.ratio("transform / pipe", label("transform"), label("pipe"));
        report.target("S1 identity mapping >= 0.5 x raw COPY pipe", identity >= 0.5, String.format(Locale.ROOT, "%.2f", identity));
        report.target("S1 renames + computed column >= 0.5 x raw COPY pipe", transform >= 0.5,
                String.format(Locale.ROOT, "%.2f", transform));
        report.note(String.format(Locale.ROOT, "identity forced through the per-row path: %.2f x the pipe", rows));
        report.note("bluegreen's time is its copy (plan committed to done mark), without JVM and broker start-up;"
                + " the pipe's is the whole psql | psql pipeline");
        for (String c : ALL.subList(1, ALL.size())) {
            List<Path> files = bench.recordings.stream().filter(f -> f.getParent().getFileName().toString()
                    .matches("s1_" + c.replace('-', '_') + "_[0-9]+"))
                    .toList();
            for (String line : dev.bluegreen.bench.streaming.JfrSummary.summarize(files, 8)) {
                report.note(c + ": " + line);
            }
        }
        report.write();
    }

    private static String label(String contender) {
        return switch (contender) {
            case "pipe" -> "raw binary COPY pipe (psql to psql)";
            case "identity" -> "bluegreen copy, identity mapping (path auto: piped)";
            case "identity-rows" -> "bluegreen copy, identity mapping (path rows: decoded + mapped)";
            case "transform" -> "bluegreen copy, renames + cast + computed column";
            case JDBC_SINK -> "Debezium snapshot + JDBC sink on Kafka Connect";
            default -> contender;
        };
    }

    /** One timed run: ms, and the child's peak RSS in MiB (0 for the pipe). */
    record Run(long ms, double peakRssMiB) {
    }

    private Run run(String contender, int rep, LocalPostgres blue, LocalPostgres green, String kafka, long[] expected)
            throws Exception {
        String db = "s1_" + contender.replace('-', '_') + "_" + rep;
        green.execute("postgres", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        green.createDatabase(db);
        boolean overhauled = contender.equals("transform");
        if (overhauled) {
            green.execute(db, "CREATE SCHEMA bank; CREATE TABLE bank.account (account_id bigint PRIMARY KEY,"
                    + " branch_id integer NOT NULL, balance_cents bigint NOT NULL, filler character(84))");
        } else {
            green.execute(db, "CREATE TABLE pgbench_accounts (aid integer PRIMARY KEY, bid integer, abalance integer,"
                    + " filler character(84))");
        }
        Run r = contender.equals("pipe") ? pipe(blue, green, db) : contender.equals(JDBC_SINK)
                ? jdbcSink(db, blue, green, expected[0]) : bluegreen(contender, db, blue, green, kafka);
        long[] got = checksum(green, db, overhauled ? "SELECT count(*), sum(balance_cents) / 100 FROM bank.account"
                : "SELECT count(*), sum(abalance) FROM pgbench_accounts");
        if (got[0] != expected[0] || got[1] != expected[1]) {
            throw new IllegalStateException("WRONG DATA after " + contender + ": green has " + got[0] + " rows, balance "
                    + got[1] + "; blue " + expected[0] + ", " + expected[1]);
        }
        green.execute("postgres", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        return r;
    }

    private Run pipe(LocalPostgres blue, LocalPostgres green, String db) throws Exception {
        String psql = blue.binDir().resolve("psql").toString();
        String cmd = psql + " -X -q -h 127.0.0.1 -p " + blue.port() + " -U postgres -d bench -c"
                + " 'COPY pgbench_accounts TO STDOUT (FORMAT binary)' | " + psql + " -X -q -h 127.0.0.1 -p "
                + green.port() + " -U postgres -d " + db + " -v ON_ERROR_STOP=1 -c"
                + " 'COPY pgbench_accounts FROM STDIN (FORMAT binary)'";
        Path log = work.resolve("pipe.log");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", cmd).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the COPY pipe failed; see " + log);
        }
        return new Run((System.nanoTime() - t0) / 1_000_000, 0);
    }

    private Run jdbcSink(String db, LocalPostgres blue, LocalPostgres green, long rows) throws Exception {
        var cfg = dev.bluegreen.bench.anchor.ConnectJdbcSinkConfig.defaults(root, work.resolve(db + "-connect"),
                dev.bluegreen.bench.anchor.ConnectJdbcSinkConfig.Mode.SNAPSHOT, List.of("public.pgbench_accounts"));
        try (var anchor = dev.bluegreen.bench.anchor.ConnectJdbcSink.start(cfg, blue, "bench", green, db)) {
            java.time.Duration took = anchor.awaitRows("public.pgbench_accounts", rows, java.time.Duration.ofHours(2));
            return new Run(took.toMillis(), 0);
        }
    }

    private Run bluegreen(String contender, String db, LocalPostgres blue, LocalPostgres green, String kafka)
            throws Exception {
        Path dir = work.resolve(db);
        deleteTree(dir);
        Files.createDirectories(dir);
        String table = contender.equals("transform")
                ? "  - blue: public.pgbench_accounts\n    green: bank.account\n    columns:\n"
                + "      aid: { rename: account_id, cast: bigint }\n      bid: branch_id\n      abalance: drop\n"
                + "    add:\n      balance_cents: { expr: \"abalance * 100\" }\n"
                : "  - blue: public.pgbench_accounts\n    green: public.pgbench_accounts\n";
        String yaml = "pipeline:\n  name: " + db + "\n  work-dir: " + dir.resolve("pipeline") + "\n"
                + "blue:\n  jdbc-url: " + blue.jdbcUrl("bench") + "\n  user: postgres\n"
                + "green:\n  jdbc-url: " + green.jdbcUrl(db) + "\n  user: postgres\n"
                + "kafka:\n  bootstrap: " + kafka + "\n"
                + "backfill:\n  parallelism: " + parallelism + "\n  path: " + (contender.equals("identity-rows") ? "rows" : "auto")
                + "\n" + "tables:\n" + table;
        Path config = dir.resolve("pipeline.yaml");
        Files.writeString(config, yaml);
        Path log = dir.resolve("run.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(BenchSupport.jvmOptions(root));
        if (jfr) {
            Path rec = dir.resolve("run.jfr");
            recordings.add(rec);
            cmd.add("-XX:StartFlightRecording=filename=" + rec + ",settings=profile,dumponexit=true");
        }
        cmd.addAll(List.of("-jar", jar.toString(), "run", "--config", config.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
            while (true) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("bluegreen run exited with " + p.exitValue() + "; see " + log);
                }
                Long ms = copyMs(green, db);
                if (ms != null) {
                    double rss = peakRssMiB(p.pid());
                    return new Run(ms, rss);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the copy did not finish in 30 minutes; see " + log);
                }
                Thread.sleep(200);
            }
        } finally {
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            blue.execute("bench", "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                    + " WHERE slot_name = 'bluegreen_" + db + "'");
            blue.execute("bench", "DROP PUBLICATION IF EXISTS bluegreen_" + db);
        }
    }

    /** The finished copy's duration in ms, or null while it runs. */
    private static Long copyMs(LocalPostgres green, String db) {
        try (Connection c = green.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT (extract(epoch FROM finished_at - started_at) * 1000)::bigint"
                     + " FROM bluegreen.backfill WHERE state = 'done'")) {
            return rs.next() ? rs.getLong(1) : null;
        } catch (SQLException notYet) {
            return null; // the control schema appears once the child has started
        }
    }

    /** Peak resident set of a process, MiB ({@code VmHWM} of /proc/PID/status); 0 when unreadable. */
    static double peakRssMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    private static long[] checksum(LocalPostgres server, String db, String sql) throws SQLException {
        try (Connection c = server.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    private void pgbench(LocalPostgres server, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(server.binDir().resolve("pgbench").toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(server.port()), "-U", "postgres"));
        cmd.addAll(List.of(args));
        Path log = work.resolve("pgbench.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("pgbench " + String.join(" ", args) + " failed; see " + log);
        }
    }

    private static List<String> listArg(String[] args, String name, List<String> def) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                List<String> out = List.of(args[i + 1].split(","));
                if (!ALL.containsAll(out.stream().filter(c -> !c.equals(JDBC_SINK)).toList())) {
                    throw new IllegalArgumentException(name + " takes a comma-separated subset of " + ALL + " and "
                            + JDBC_SINK);
                }
                return out;
            }
        }
        return def;
    }

}
