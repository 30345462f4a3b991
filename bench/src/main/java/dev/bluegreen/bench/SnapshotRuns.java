package dev.bluegreen.bench;

import static dev.bluegreen.bench.report.BenchSupport.deleteTree;

import dev.bluegreen.bench.report.BenchReport;
import dev.bluegreen.bench.report.BenchSupport;
import dev.bluegreen.bench.report.ProcessCpu;
import dev.bluegreen.bench.streaming.JfrSummary;
import dev.bluegreen.testkit.LocalPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What the S1 benchmarks of bluegreen's initial copy share, whatever blue's engine ({@link SnapshotBench}:
 * PostgreSQL, {@link MariaDbSnapshotBench}: MariaDB): the interleaved repetitions, green's fresh database per
 * run with the {@code pgbench_accounts}-shaped target (identity) or the overhauled {@code bank.account}
 * (transform), the pipeline config, {@code bluegreen run} as a child process of the shipped jar timed by its
 * copy's own marks in green, a timed shell pipeline for the anchors, the data check after every run, the cores
 * each metered server, the child and the rest of the box kept busy during a run ({@link #meter}), and the JFR
 * notes.
 *
 * <p>The transform contender maps {@code aid → account_id bigint}, {@code bid → branch_id}, drops {@code
 * abalance} and adds {@code balance_cents = abalance * 100}; the check after a run compares green's row count
 * and balance sum with blue's and throws {@code WRONG DATA} on a difference.
 *
 * <p>Not thread-safe: one per benchmark run, used from its main thread. Errors: a child that exits early, a
 * copy that takes more than 30 minutes, a failed anchor and wrong data throw {@link IllegalStateException};
 * servers that fail throw {@link SQLException}.
 */
public final class SnapshotRuns {

    /** The transform contender's name. */
    public static final String TRANSFORM = "transform";

    /**
     * One timed run.
     *
     * @param ms the contender's time, milliseconds
     * @param peakRssMiB peak resident set of the bluegreen child, MiB; 0 for an anchor
     * @param cores cores busy during the run, by process ({@link #meter}), empty when nothing is metered
     */
    public record Run(long ms, double peakRssMiB, Map<String, Double> cores) {

        /** A run without CPU figures. */
        public Run(long ms, double peakRssMiB) {
            this(ms, peakRssMiB, Map.of());
        }
    }

    /** The CPU figure of the bluegreen child. */
    public static final String BLUEGREEN_CPU = "bluegreen run";
    /** The CPU figure of everything on the box that is not metered (anchors' clients, the broker, other users). */
    public static final String REST_CPU = "rest of the box";

    /** Runs one contender once, into green database {@code db} (fresh, with its target table, empty). */
    @FunctionalInterface
    public interface Contender {
        Run run(String contender, String db) throws Exception;
    }

    private final Path root;
    private final Path jar;
    private final Path work;
    private final int parallelism;
    private final boolean jfr;
    private final List<Path> recordings = new ArrayList<>();
    private final Map<String, long[]> meters = new LinkedHashMap<>();

    /**
     * @param root the project root (holds {@code cli/target/bluegreen.jar} and {@code jvm.options})
     * @param work folder for the runs' configs, logs and recordings, created when missing
     * @param parallelism bluegreen's copy workers ({@code backfill.parallelism})
     * @param jfr record every bluegreen child with JFR ({@code settings=profile})
     * @throws IOException when the work folder cannot be created
     */
    public SnapshotRuns(Path root, Path work, int parallelism, boolean jfr) throws IOException {
        this.root = root;
        this.jar = root.resolve("cli/target/bluegreen.jar");
        this.work = Files.createDirectories(work);
        this.parallelism = parallelism;
        this.jfr = jfr;
    }

    /** The project root from {@code -Dbluegreen.project.root} (the scripts set it), else the current folder. */
    public static Path projectRoot() {
        return Path.of(System.getProperty(LocalPostgres.PROJECT_ROOT_PROPERTY, ".")).toAbsolutePath().normalize();
    }

    /**
     * Meters a server's CPU during every run from now on: the CPU microseconds it spent per row (the cores it kept
     * busy, see {@link ProcessCpu}, times the run's time, over the rows) become a series per contender, next to
     * those of the bluegreen child and of the {@link #REST_CPU}.
     *
     * @param tree count the process's children too (PostgreSQL's backends); MariaDB's threads are one process
     */
    public SnapshotRuns meter(String name, long pid, boolean tree) {
        meters.put(name, new long[] {pid, tree ? 1 : 0});
        return this;
    }

    /** The work folder. */
    public Path work() {
        return work;
    }

    /** bluegreen's copy workers. */
    public int parallelism() {
        return parallelism;
    }

    /**
     * Runs every contender {@code reps} times, interleaved, the first one rotating per repetition; each run gets
     * a fresh green database {@code s1_<contender>_<rep>} with its target (dropped again after the check), and
     * adds its rows/s (and the child's peak RSS) to the report, one line per run on stdout.
     *
     * @param rows blue's row count (the rows/s numerator)
     * @param expected blue's row count and balance sum, which green must hold after every run
     * @param label a contender's series name
     * @param anchor which contenders are anchors (the series' role), the others are bluegreen
     */
    public void interleave(BenchReport report, int reps, List<String> contenders, LocalPostgres green, long[] expected,
                           Function<String, String> label, Predicate<String> anchor, Contender run) throws Exception {
        for (int rep = 1; rep <= reps; rep++) {
            for (int i = 0; i < contenders.size(); i++) {
                String c = contenders.get((i + rep - 1) % contenders.size());
                String db = "s1_" + c.replace('-', '_') + "_" + rep;
                boolean overhauled = c.equals(TRANSFORM);
                freshGreen(green, db, overhauled);
                Run r = run.run(c, db);
                checkGreen(green, db, overhauled, c, expected);
                green.execute("postgres", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
                double rowsPerSecond = expected[0] * 1000.0 / r.ms();
                System.out.printf(Locale.ROOT, "rep %d %-14s %,10.0f rows/s (%,d ms)%s%n", rep, c, rowsPerSecond,
                        r.ms(), r.peakRssMiB() > 0 ? String.format(Locale.ROOT, ", peak RSS %.0f MiB", r.peakRssMiB()) : "");
                report.series(label.apply(c), "rows/s", anchor.test(c) ? "anchor" : "bluegreen").add(rowsPerSecond);
                if (r.peakRssMiB() > 0) {
                    report.series("peak RSS of bluegreen run (" + c + ")", "MiB", "bluegreen").add(r.peakRssMiB());
                }
                // cores busy x the contender's time / rows: the CPU each process spent per row (the rest of the box
                // holds the anchors' clients, the broker and anyone else's load)
                r.cores().forEach((who, n) -> report.series("CPU per row: " + who + " (" + c + ")", "us/row", "box")
                        .add(n * r.ms() * 1000.0 / expected[0]));
            }
        }
    }

    private static void freshGreen(LocalPostgres green, String db, boolean overhauled) throws SQLException {
        green.execute("postgres", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        green.createDatabase(db);
        if (overhauled) {
            green.execute(db, "CREATE SCHEMA bank; CREATE TABLE bank.account (account_id bigint PRIMARY KEY,"
                    + " branch_id integer NOT NULL, balance_cents bigint NOT NULL, filler character(84))");
        } else {
            green.execute(db, "CREATE TABLE pgbench_accounts (aid integer PRIMARY KEY, bid integer, abalance integer,"
                    + " filler character(84))");
        }
    }

    private static void checkGreen(LocalPostgres green, String db, boolean overhauled, String contender, long[] expected)
            throws SQLException {
        long[] got;
        try (Connection c = green.connect(db)) {
            got = sums(c, overhauled ? "SELECT count(*), sum(balance_cents) / 100 FROM bank.account"
                    : "SELECT count(*), sum(abalance) FROM pgbench_accounts");
        }
        if (got[0] != expected[0] || got[1] != expected[1]) {
            throw new IllegalStateException("WRONG DATA after " + contender + ": green has " + got[0] + " rows, balance "
                    + got[1] + "; blue " + expected[0] + ", " + expected[1]);
        }
    }

    /**
     * The first two columns of a one-row query as longs, e.g. {@code SELECT count(*), sum(abalance) ...}.
     *
     * @throws SQLException when the query fails
     */
    public static long[] sums(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    /**
     * The pipeline config of one bluegreen run into green database {@code db}: {@code capture.snapshot: copy}
     * (the default), this bench's workers, and blue's {@code pgbench_accounts} mapped onto itself or, for {@link
     * #TRANSFORM}, onto {@code bank.account}.
     *
     * @param blueTable blue's table, e.g. {@code public.pgbench_accounts} or {@code bench.pgbench_accounts}
     * @param path {@code backfill.path}: {@code auto} or {@code rows}
     */
    public String pipelineYaml(String contender, String db, String blueUrl, String blueUser, String blueTable,
                               String greenUrl, String kafka, String path) {
        String table = contender.equals(TRANSFORM)
                ? "  - blue: " + blueTable + "\n    green: bank.account\n    columns:\n"
                + "      aid: { rename: account_id, cast: bigint }\n      bid: branch_id\n      abalance: drop\n"
                + "    add:\n      balance_cents: { expr: \"abalance * 100\" }\n"
                : "  - blue: " + blueTable + "\n    green: public.pgbench_accounts\n";
        return "pipeline:\n  name: " + db + "\n  work-dir: " + work.resolve(db).resolve("pipeline") + "\n"
                + "blue:\n  jdbc-url: " + blueUrl + "\n  user: " + blueUser + "\n"
                + "green:\n  jdbc-url: " + greenUrl + "\n  user: postgres\n"
                + "kafka:\n  bootstrap: " + kafka + "\n"
                + "backfill:\n  parallelism: " + parallelism + "\n  path: " + path + "\n"
                + "tables:\n" + table;
    }

    /**
     * Runs {@code bluegreen run --config} (the shipped jar with {@code jvm.options}, a child process, under JFR
     * when asked) in a fresh folder {@code <work>/<db>} until its initial copy is done, then stops it (SIGTERM,
     * SIGKILL after 60 s; SIGKILL too when this JVM exits first).
     *
     * @param yaml the pipeline config ({@link #pipelineYaml})
     * @return the copy's time, {@code bluegreen.backfill.finished_at - started_at} in green (the plan's commit to
     *     the done mark, without JVM and broker start-up), and the child's peak RSS
     * @throws IllegalStateException when the child exits before the copy is done (see its {@code run.log}), or
     *     the copy takes more than 30 minutes
     */
    public Run bluegreen(String db, String yaml, LocalPostgres green) throws Exception {
        Path dir = work.resolve(db);
        deleteTree(dir);
        Files.createDirectories(dir);
        Path config = dir.resolve("pipeline.yaml");
        Files.writeString(config, yaml);
        Path log = dir.resolve("run.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(BenchSupport.jvmOptions(root, "run"));
        if (jfr) {
            Path rec = dir.resolve("run.jfr");
            recordings.add(rec);
            cmd.add("-XX:StartFlightRecording=filename=" + rec + ",settings=profile,dumponexit=true");
        }
        cmd.addAll(List.of("-jar", jar.toString(), "run", "--config", config.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // a bench stopped by a signal stops its child too (the servers' and the broker's own hooks stop them)
        Thread hook = new Thread(p::destroyForcibly, "stop-bluegreen-run-" + db);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
            Map<String, Double> atPlan = null;
            long planSeen = 0;
            while (true) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("bluegreen run exited with " + p.exitValue() + "; see " + log);
                }
                long ms = copyMs(green, db);
                if (ms >= 0) {
                    // the CPU window: from the plan first seen to the done mark seen (within a poll of the copy's)
                    Map<String, Double> cores = atPlan == null ? Map.of()
                            : cores(atPlan, cpuNow(p.pid()), System.nanoTime() - planSeen);
                    return new Run(ms, peakRssMiB(p.pid()), cores);
                }
                if (ms == RUNNING && atPlan == null && !meters.isEmpty()) {
                    atPlan = cpuNow(p.pid());
                    planSeen = System.nanoTime();
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
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs (or ran) anyway
            }
        }
    }

    /**
     * Runs an anchor's shell pipeline ({@code bash -o pipefail -c}), output and errors into {@code <work>/<name>.log}.
     *
     * @return its wall-clock time (process start to exit)
     * @throws IllegalStateException when any command of the pipeline fails
     */
    public Run shell(String name, String command) throws Exception {
        Path log = work.resolve(name + ".log");
        Map<String, Set<Long>> children = new HashMap<>();
        meters.forEach((server, m) -> children.put(server, ProcessCpu.children(m[0])));
        Map<String, Double> before = meters.isEmpty() ? null : cpuNow(-1);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(name + " failed; see " + log);
        }
        long nanos = System.nanoTime() - t0;
        if (before == null) {
            return new Run(nanos / 1_000_000, 0);
        }
        double machine = ProcessCpu.machineSeconds();
        // the pipeline's server sessions (PostgreSQL backends) count once their server has reaped them
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < settle && meters.entrySet().stream()
                .anyMatch(e -> !children.get(e.getKey()).containsAll(ProcessCpu.children(e.getValue()[0])))) {
            Thread.sleep(10);
        }
        Map<String, Double> after = cpuNow(-1);
        after.put(REST_CPU, machine);
        return new Run(nanos / 1_000_000, 0, cores(before, after, nanos));
    }

    /**
     * Adds the note on what is timed, per bluegreen contender where its children's CPU went ({@link JfrSummary};
     * nothing without {@code --jfr}), and writes the report ({@link BenchReport#write}).
     *
     * @param pipe the anchor's pipeline, for the note, e.g. {@code psql | psql}
     * @throws IOException when a recording cannot be read
     */
    public void write(BenchReport report, String pipe, List<String> bluegreenContenders) throws IOException {
        report.note("bluegreen's time is its copy (plan committed to done mark), without JVM and broker start-up;"
                + " the pipe's is the whole " + pipe + " pipeline");
        for (String c : bluegreenContenders) {
            List<Path> files = recordings.stream().filter(f -> f.getParent().getFileName().toString()
                    .matches("s1_" + c.replace('-', '_') + "_[0-9]+")).toList();
            for (String line : JfrSummary.summarize(files, 8)) {
                report.note(c + ": " + line);
            }
        }
        report.write();
    }

    /** {@link #copyMs}: the copy is planned and runs. */
    private static final long RUNNING = -1;
    /** {@link #copyMs}: no plan yet. */
    private static final long NOT_PLANNED = -2;

    /** The finished copy's duration in ms, {@link #RUNNING} or {@link #NOT_PLANNED}. */
    private static long copyMs(LocalPostgres green, String db) {
        try (Connection c = green.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT state = 'done', (extract(epoch FROM finished_at - started_at)"
                     + " * 1000)::bigint FROM bluegreen.backfill")) {
            return !rs.next() ? NOT_PLANNED : rs.getBoolean(1) ? rs.getLong(2) : RUNNING;
        } catch (SQLException notYet) {
            return NOT_PLANNED; // the control schema appears once the child has started
        }
    }

    /** CPU seconds so far of every metered server, of the child ({@code pid} > 0) and of the machine. */
    private Map<String, Double> cpuNow(long childPid) {
        Map<String, Double> out = new LinkedHashMap<>();
        meters.forEach((name, m) -> out.put(name, ProcessCpu.seconds(m[0], m[1] == 1)));
        if (childPid > 0) {
            out.put(BLUEGREEN_CPU, ProcessCpu.seconds(childPid, false));
        }
        out.put(REST_CPU, ProcessCpu.machineSeconds());
        return out;
    }

    /** Cores busy per process over a window of {@code nanos}; the rest is the machine's minus the metered. */
    private static Map<String, Double> cores(Map<String, Double> before, Map<String, Double> after, long nanos) {
        double seconds = nanos / 1e9;
        Map<String, Double> out = new LinkedHashMap<>();
        double metered = 0;
        for (Map.Entry<String, Double> e : after.entrySet()) {
            if (!e.getKey().equals(REST_CPU)) {
                double used = e.getValue() - before.get(e.getKey());
                metered += used;
                out.put(e.getKey(), used / seconds);
            }
        }
        out.put(REST_CPU, Math.max(0, after.get(REST_CPU) - before.get(REST_CPU) - metered) / seconds);
        return out;
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
}
