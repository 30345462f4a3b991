package dev.bluegreen.bench;

import static dev.bluegreen.bench.report.BenchSupport.intArg;
import static dev.bluegreen.bench.report.BenchSupport.listArg;

import dev.bluegreen.bench.report.BenchReport;
import dev.bluegreen.bench.report.ProcessCpu;
import dev.bluegreen.cli.kafka.EmbeddedKafkaBroker;
import dev.bluegreen.testkit.LocalMariaDb;
import dev.bluegreen.testkit.LocalPostgres;
import java.sql.Connection;
import java.util.List;
import java.util.Locale;

/**
 * Issue 5, S1 for a MariaDB blue: how fast bluegreen's initial copy ({@code capture.snapshot: copy}: readers at
 * one binlog position, a streaming {@code SELECT ... WHERE <key range> ORDER BY key} per chunk through MariaDB
 * Connector/J, each value read by {@code MariaDbValueReader}, mapped, written into green with text COPY) moves a
 * {@code pgbench_accounts}-shaped table from a MariaDB blue into a PostgreSQL green, against the raw text pipe
 * between the same two servers in the same run: {@code mariadb --batch --skip-column-names --quick -e "SELECT
 * aid, bid, abalance, filler FROM pgbench_accounts ORDER BY aid" | psql -c "COPY pgbench_accounts FROM STDIN
 * (NULL 'NULL')"} into an empty table with its primary key. The client's batch output is tab-separated with
 * backslash escapes, which is COPY's text format, except that it prints a NULL as {@code NULL} (hence the
 * option; this table holds no NULL and no string {@code NULL}).
 *
 * <p>Blue ({@link LocalMariaDb}): database {@code bench}, {@code pgbench_accounts (aid INT PRIMARY KEY, bid INT NOT
 * NULL, abalance INT NOT NULL, filler CHAR(84))}, {@code --rows} rows generated server-side from the sequence
 * engine in batches of {@value #LOAD_BATCH} ({@code bid} = 1 per 100,000 rows as in pgbench, {@code abalance}
 * spread over -10,000..10,000 so the balance sum checks something, {@code filler} 84 characters that differ per
 * row: MariaDB strips a {@code CHAR}'s trailing blanks when read, so pgbench's blank filler would move no bytes),
 * outside the binary log ({@code sql_log_bin = 0}), then {@code ANALYZE TABLE}; the InnoDB buffer pool is raised
 * to {@value #BUFFER_POOL_MIB} MiB so the table is read from memory. Green: {@link LocalPostgres}. Both on free
 * private ports, stopped and deleted at the end, also when the run fails.
 *
 * <p>Contenders, interleaved (the first rotating per repetition), each into a freshly created green database
 * whose target table is empty and has its primary key ({@link SnapshotRuns#interleave}):
 * <ul>
 *   <li>{@code pipe}: the anchor above (timed from the shell's start to its end);</li>
 *   <li>{@code identity}: bluegreen, identity mapping (on a MariaDB blue every row is read, mapped and encoded:
 *       there is no piped path);</li>
 *   <li>{@code transform}: bluegreen with renames, a cast and a computed column ({@link SnapshotRuns#TRANSFORM}).</li>
 * </ul>
 * bluegreen runs as {@code bluegreen run}, the shipped jar in a child process with one shared Kafka broker; its
 * figure is the copy from the plan's commit to the done mark in green (JVM and broker start-up and the
 * consistent point's lock are not in it), as in {@link SnapshotBench}. After every run green's row count and
 * balance sum must equal blue's, else the run aborts with {@code WRONG DATA}.
 *
 * <p>Where the time goes: per run, the CPU microseconds per row spent by blue's server, green's server
 * (postmaster and backends), the bluegreen child and the rest of the box (the pipe's two clients, the broker,
 * anyone else's load), from {@code /proc} ({@link ProcessCpu}): the cores each kept busy (for bluegreen over the
 * copy as the 200 ms poll sees it, for the pipe over the whole pipeline) times the run's time, over the rows.
 * Less sensitive to other load on the box than rows/s.
 *
 * <p>Arguments: {@code --rows N} (default 2,000,000), {@code --reps N} (default 5), {@code --parallelism N}
 * (bluegreen's workers, default the product's default from a MariaDB blue: the cores, at most 4), {@code --contenders a,b} (a subset of {@code
 * pipe,identity,transform}; the ratios need the pipe), {@code --jfr} (profile each bluegreen child, summarised in
 * the notes). Results: stdout (markdown) and {@code bench/target/results/s1-snapshot-mariadb-<time>.{json,md}}.
 * Not thread-safe; a main.
 */
public final class MariaDbSnapshotBench {

    private static final List<String> ALL = List.of("pipe", "identity", SnapshotRuns.TRANSFORM);
    /** Rows per {@code INSERT ... SELECT} of the load. */
    static final int LOAD_BATCH = 500_000;
    /** InnoDB buffer pool during the bench (MiB); the script's 128 MiB holds about a million rows of this table. */
    static final int BUFFER_POOL_MIB = 1024;

    private final SnapshotRuns runs;

    private MariaDbSnapshotBench(SnapshotRuns runs) {
        this.runs = runs;
    }

    /**
     * Runs the benchmark (arguments in the class comment) and writes its report.
     *
     * @throws Exception when a server, the broker or a contender fails, or green's data is wrong
     */
    public static void main(String[] args) throws Exception {
        int rows = intArg(args, "--rows", 2_000_000);
        int reps = intArg(args, "--reps", 5);
        List<String> contenders = listArg(args, "--contenders", ALL, ALL);
        MariaDbSnapshotBench bench = new MariaDbSnapshotBench(new SnapshotRuns(SnapshotRuns.projectRoot(),
                SnapshotRuns.projectRoot().resolve("bench/target/snapshot-mariadb-work"), intArg(args, "--parallelism",
                        dev.bluegreen.core.config.BackfillConfig.mariaDbDefaultParallelism()),
                List.of(args).contains("--jfr")));
        BenchReport report = new BenchReport("s1-snapshot-mariadb", "initial copy of a pgbench_accounts-like table from"
                + " a MariaDB blue: bluegreen vs the raw text pipe mariadb | psql COPY").parameter("rows", rows)
                .parameter("repetitions", reps).parameter("bluegreen workers", bench.runs.parallelism());
        try (LocalMariaDb blue = LocalMariaDb.start("bench-s1m-blue");
             LocalPostgres green = LocalPostgres.start("bench-s1m-green");
             EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(bench.runs.work().resolve("kafka"))) {
            bench.runs.meter("blue server (mariadbd)", ProcessCpu.pidFile(blue.dataDir().resolve("mariadbd.pid")), false)
                    .meter("green server (postgres)", ProcessCpu.pidFile(green.dataDir().resolve("postmaster.pid")), true);
            try (Connection b = blue.connect(""); Connection g = green.connect("postgres")) {
                report.parameter("blue", "MariaDB " + b.getMetaData().getDatabaseProductVersion())
                        .parameter("green", "PostgreSQL " + g.getMetaData().getDatabaseProductVersion());
            }
            long t0 = System.nanoTime();
            load(blue, rows);
            System.out.printf(Locale.ROOT, "loaded %,d rows into MariaDB in %,d ms%n", rows,
                    (System.nanoTime() - t0) / 1_000_000);
            long[] expected;
            try (Connection c = blue.connect("bench")) {
                expected = SnapshotRuns.sums(c, "SELECT count(*), sum(abalance) FROM pgbench_accounts");
            }
            bench.runs.interleave(report, reps, contenders, green, expected, MariaDbSnapshotBench::label,
                    c -> c.equals("pipe"), (c, db) -> c.equals("pipe") ? bench.pipe(blue, green, db)
                            : bench.runs.bluegreen(db, bench.runs.pipelineYaml(c, db, blue.jdbcUrl("bench"), blue.user(),
                                    "bench.pgbench_accounts", green.jdbcUrl(db), broker.bootstrapServers(), "auto"), green));
        }
        if (contenders.contains("pipe")) {
            for (String c : contenders.stream().filter(c -> !c.equals("pipe")).toList()) {
                double ratio = report.ratio(c + " / pipe", label(c), label("pipe"));
                report.target("S1 " + (c.equals("identity") ? "identity mapping" : "renames + computed column")
                        + " >= 0.5 x the raw pipe (the issue's target for a PostgreSQL blue)", ratio >= 0.5,
                        String.format(Locale.ROOT, "%.2f", ratio));
            }
        }
        report.note("CPU per row: the cores each process kept busy during the run (from /proc) x the run's time / rows;"
                + " the rest of the box is the machine's busy CPU minus the metered processes: the pipe's mariadb and"
                + " psql clients, the broker and anyone else's load");
        report.note("blue: MariaDB with innodb_buffer_pool_size " + BUFFER_POOL_MIB + " MiB, the table loaded outside"
                + " the binary log; green: PostgreSQL with fsync off (deploy/local/postgres.sh)");
        bench.runs.write(report, "mariadb | psql", ALL.subList(1, ALL.size()));
    }

    private static String label(String contender) {
        return switch (contender) {
            case "pipe" -> "raw text pipe (mariadb --batch to psql COPY)";
            case "identity" -> "bluegreen copy, identity mapping (per row)";
            case SnapshotRuns.TRANSFORM -> "bluegreen copy, renames + cast + computed column";
            default -> contender;
        };
    }

    /** Creates and fills blue's table (see the class comment). */
    private static void load(LocalMariaDb blue, int rows) throws Exception {
        blue.createDatabase("bench");
        blue.execute("bench", "SET GLOBAL innodb_buffer_pool_size = " + BUFFER_POOL_MIB * 1024L * 1024);
        blue.execute("bench", "CREATE TABLE pgbench_accounts (aid INT PRIMARY KEY, bid INT NOT NULL, abalance INT NOT NULL,"
                + " filler CHAR(84)) ENGINE=InnoDB");
        for (long lo = 1; lo <= rows; lo += LOAD_BATCH) {
            long hi = Math.min(rows, lo + LOAD_BATCH - 1);
            blue.execute("bench", "SET SESSION sql_log_bin = 0; INSERT INTO pgbench_accounts (aid, bid, abalance, filler)"
                    + " SELECT s, (s - 1) DIV 100000 + 1, (s * 7919) % 20001 - 10000, RPAD(CONCAT(s, ' '), 84, 'x')"
                    + " FROM (SELECT CAST(seq AS SIGNED) AS s FROM seq_" + lo + "_to_" + hi + ") g");
        }
        blue.execute("bench", "ANALYZE TABLE pgbench_accounts");
    }

    private SnapshotRuns.Run pipe(LocalMariaDb blue, LocalPostgres green, String db) throws Exception {
        return runs.shell("pipe", blue.binDir().resolve("mariadb") + " --no-defaults --protocol=TCP --host=127.0.0.1"
                + " --port=" + blue.port() + " --user=" + blue.user() + " --default-character-set=utf8mb4 --database=bench"
                + " --batch --skip-column-names --quick -e 'SELECT aid, bid, abalance, filler FROM pgbench_accounts"
                + " ORDER BY aid' | " + green.binDir().resolve("psql") + " -X -q -h 127.0.0.1 -p " + green.port()
                + " -U postgres -d " + db + " -v ON_ERROR_STOP=1 -c \"COPY pgbench_accounts FROM STDIN (NULL 'NULL')\"");
    }
}
