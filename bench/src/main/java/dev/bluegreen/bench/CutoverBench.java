package dev.bluegreen.bench;

import static dev.bluegreen.bench.report.BenchSupport.intArg;
import static dev.bluegreen.bench.report.BenchSupport.deleteTree;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bluegreen.bench.report.BenchReport;
import dev.bluegreen.bench.report.BenchSupport;
import dev.bluegreen.testkit.LocalPgBouncer;
import dev.bluegreen.testkit.LocalPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How long does {@code bluegreen cutover} freeze the application's writes under {@code pgbench -c 4}?
 *
 * <p>Each repetition builds a fresh pair on two throwaway PostgreSQL servers ({@link LocalPostgres}):
 * {@code pgbench -i -s SCALE} on blue (plus the primary key {@code pgbench_history} lacks), the same
 * tables empty on green, an application role, a real PgBouncer in front of blue, and runs the shipped
 * jar as a user would: {@code bluegreen run} (a child process with its embedded broker), {@code
 * bluegreen verify}, then {@code pgbench -c 4 -j 2 -T LOAD} as the application role through PgBouncer
 * and, 5 s into the load, {@code bluegreen cutover} (freeze {@code router-pause}, PgBouncer router,
 * final check included). Figures per repetition: the coordinator's freeze window (router pause to
 * resume, from {@code cutover-report.json}), the longest transaction pgbench saw (its per-transaction
 * log: the write-blocked window a client felt, plus one normal transaction), and the anchor measured
 * in the same load just before: {@code LOCK TABLE} of the four pgbench tables {@code IN EXCLUSIVE MODE}
 * and commit on blue, the floor of any lock-based freeze. pgbench must end with exit 0 (no client
 * error) after running on blue and then green.
 *
 * <p>A client probe ({@link WriteProbe}) writes beside pgbench through the same PgBouncer as the
 * application role: one autocommit insert into {@code bench_probe} (captured like pgbench's tables) every
 * 10 ms, from the start of the load until 2 s after the cutover ended. Its write-blocked window per
 * cutover is the longest gap between the ends of two consecutive acknowledged writes over the writes
 * ending while {@code bluegreen cutover} ran (plus the first one after); the same over the load before
 * the cutover is reported beside it. The probe must see no error; right after the cutover ended, green
 * must hold every id blue acknowledged, and blue must hold exactly the ids it acknowledged.
 *
 * <p>Results through {@link BenchReport} id {@code s5-cutover}: per-cutover series, p50/p99/max in the
 * notes, targets p50 <= 100 ms and p99 <= 500 ms for the probe's window, no probe error, no lost
 * write. Arguments: {@code --reps N}
 * (default 10), {@code --scale N} (default 1), {@code --load-seconds N} (default 60; the cutover must end
 * before the load does, else the repetition fails), {@code --skip-final-verify} (passed to the cutover).
 */
public final class CutoverBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The step line {@code bluegreen cutover} prints when its lag pre-check refused it. */
    private static final Pattern REFUSED_ON_LAG = Pattern.compile("(?m)^\\s*failed\\s+precheck\\.lag\\b");
    /** The captured tables: pgbench's four and the write probe's. */
    private static final List<String> TABLES = List.of("pgbench_branches", "pgbench_tellers", "pgbench_accounts",
            "pgbench_history", "bench_probe");
    private static final String WINDOW = "probe write-blocked window (longest gap between two acknowledged writes)";
    private static final String FREEZE = "bluegreen freeze window (router pause to resume, from cutover-report.json)";
    private static final String CLIENT = "longest pgbench transaction (the pause pgbench felt)";
    private static final String BEFORE = "probe longest gap in the load before the cutover";
    private static final String ANCHOR = "anchor: LOCK TABLE 4 tables IN EXCLUSIVE MODE + COMMIT on blue";

    private final Path root;
    private final Path jar;
    private final Path work;
    private final int scale;
    private final int loadSeconds;
    /** Load before the verify and the timed load, so that the pipeline's code is compiled (s; 0: none). */
    private final int warmupSeconds;
    /** pgbench's {@code -R} (transactions/s), 0 for as fast as it goes (the issue's protocol). */
    private final int rate;
    private final boolean skipFinalVerify;

    private CutoverBench(Path root, int scale, int loadSeconds, int warmupSeconds, int rate, boolean skipFinalVerify)
            throws IOException {
        this.root = root;
        this.jar = root.resolve("cli/target/bluegreen.jar");
        this.work = Files.createDirectories(root.resolve("bench/target/cutover-work"));
        this.scale = scale;
        this.loadSeconds = loadSeconds;
        this.warmupSeconds = warmupSeconds;
        this.rate = rate;
        this.skipFinalVerify = skipFinalVerify;
    }

    /**
     * One repetition's figures.
     *
     * @param freezeMs the coordinator's freeze window (ms)
     * @param clientMaxMs pgbench's longest transaction (ms)
     * @param lockAnchorMs the LOCK TABLE anchor (ms)
     * @param transactions pgbench transactions logged
     * @param probe what the write probe saw
     */
    record Run(int rep, boolean flipped, String message, double freezeMs, double clientMaxMs, double lockAnchorMs,
               long transactions, ProbeOutcome probe) {
    }

    /**
     * The write probe's view of one cutover.
     *
     * @param windowMs the write-blocked window: the longest gap between the ends of two consecutive
     *     acknowledged writes, over the writes ending while {@code bluegreen cutover} ran, plus the first one
     *     after it (ms)
     * @param beforeMs the same over the load before the cutover started (ms): the gap the load alone causes
     * @param errors writes that got an error (the first few listed)
     * @param ackedOnBlue writes blue acknowledged
     * @param ackedOnGreen writes green acknowledged
     * @param missingInGreen ids blue acknowledged that green did not hold right after the cutover ended (only
     *     meaningful when it flipped)
     * @param blueMismatch ids on blue that blue did not acknowledge, plus acknowledged ones blue does not hold
     */
    record ProbeOutcome(double windowMs, double beforeMs, List<String> errors, long ackedOnBlue, long ackedOnGreen,
                        long missingInGreen, long blueMismatch) {
        ProbeOutcome {
            errors = List.copyOf(errors);
        }

    }

    public static void main(String[] args) throws Exception {
        int reps = intArg(args, "--reps", 10);
        CutoverBench bench = new CutoverBench(Path.of(System.getProperty("bluegreen.project.root", ".")).toAbsolutePath().normalize(), intArg(args, "--scale", 1),
                intArg(args, "--load-seconds", 60), intArg(args, "--warmup-seconds", 45), intArg(args, "--rate", 0),
                List.of(args).contains("--skip-final-verify"));
        List<Run> runs = new ArrayList<>();
        try (LocalPostgres blue = LocalPostgres.start("bench-cut-blue");
             LocalPostgres green = LocalPostgres.start("bench-cut-green")) {
            for (int rep = 1; rep <= reps; rep++) {
                Run r = bench.repetition(rep, blue, green);
                ProbeOutcome p = r.probe();
                System.out.printf(Locale.ROOT, "rep %d: %s, freeze %.1f ms, probe write-blocked window %.1f ms (%.1f ms"
                        + " before the cutover), longest client transaction %.1f ms, LOCK anchor %.1f ms, %d pgbench"
                        + " transactions; probe: %d acked on blue, %d on green, %d errors, %d blue-acked missing in"
                        + " green, %d blue mismatches%s%n", rep, r.flipped() ? "flipped" : "ABORTED",
                        r.freezeMs(), p.windowMs(), p.beforeMs(), r.clientMaxMs(), r.lockAnchorMs(), r.transactions(),
                        p.ackedOnBlue(), p.ackedOnGreen(), p.errors().size(), p.missingInGreen(), p.blueMismatch(),
                        r.flipped() ? "" : " (" + r.message() + ")");
                runs.add(r);
            }
        }
        bench.report(runs, reps);
    }

    private Run repetition(int rep, LocalPostgres blue, LocalPostgres green) throws Exception {
        String db = "cut" + rep;
        String role = "app_cut" + rep;
        Path dir = work.resolve(db);
        deleteTree(dir);
        Files.createDirectories(dir);
        prepare(blue, green, db, role, dir);
        try (LocalPgBouncer bouncer = LocalPgBouncer.start(db, blue, db, role)) {
            Path config = writeConfig(dir, db, role, blue, green, bouncer);
            Process pipeline = start(dir.resolve("run.log"), "run", "--config", config.toString());
            try {
                awaitSnapshot(green, db, pipeline, dir);
                warmUp(blue, green, db, role, bouncer, dir);
                expectZero(run(dir.resolve("verify.log"), "verify", "--config", config.toString(), "--report",
                        dir.resolve("verify").toString(), "--no-progress"), "bluegreen verify", dir.resolve("verify.log"));
                WriteProbe probe = new WriteProbe(bouncer.jdbcUrl(), role).start();
                long probeStart = System.nanoTime();
                Process load = pgbench(blue, dir, loadArgs(loadSeconds, role, bouncer, db, "-l", "--log-prefix",
                        dir.resolve("pgbench_log").toString()));
                Thread.sleep(4_000);
                double anchor = lockAnchorMs(blue, db);
                Thread.sleep(1_000);
                List<String> cutoverArgs = new ArrayList<>(List.of("cutover", "--config", config.toString(), "--report",
                        dir.resolve("cutover").toString()));
                if (skipFinalVerify) {
                    cutoverArgs.add("--skip-final-verify");
                }
                long cutoverStart;
                int cutover;
                long cutoverEnd;
                long missing;
                try {
                    long loadEnd = probeStart + loadSeconds * 1_000_000_000L;
                    for (int attempt = 1; ; attempt++) {
                        cutoverStart = System.nanoTime();
                        cutover = run(dir.resolve("cutover.log"), cutoverArgs.toArray(String[]::new));
                        // refused on lag (a pipeline still compiling its code can trail a fresh load by seconds):
                        // wait and ask again, as the refusal says, while enough of the load is left to measure
                        if (cutover != 2 || !REFUSED_ON_LAG.matcher(Files.readString(dir.resolve("cutover.log"))).find()
                                || attempt == 4 || loadEnd - System.nanoTime() < 20_000_000_000L) {
                            break;
                        }
                        Files.copy(dir.resolve("cutover.log"), dir.resolve("cutover-refused-" + attempt + ".log"),
                                StandardCopyOption.REPLACE_EXISTING);
                        System.out.printf(Locale.ROOT, "  cutover %d refused: the pipeline's lag is over max-lag-ms;"
                                + " asking again in 3 s (%s)%n", rep, dir.resolve("cutover-refused-" + attempt + ".log"));
                        Thread.sleep(3_000);
                    }
                    cutoverEnd = System.nanoTime();
                    // right after the flip: every write blue acknowledged must already be in green
                    missing = missingInGreen(green, db, probe.writes(), blue.port());
                    Thread.sleep(2_000); // the probe writes on (on green after a flip) past the cutover
                } finally {
                    probe.close();
                }
                ProbeOutcome probed = probeOutcome(probe.writes(), probeStart, cutoverStart, cutoverEnd, missing, blue,
                        db);
                if (cutover != 0 && cutover != 1) { // 1: aborted, stayed on blue; counted, not fatal
                    expectZero(cutover, "bluegreen cutover", dir.resolve("cutover.log"));
                }
                expectZero(load.waitFor(), "pgbench (it ran on blue, then on green after the flip)", dir.resolve("pgbench.log"));
                JsonNode report = JSON.readTree(dir.resolve("cutover/cutover-report.json").toFile());
                PgbenchLog pgbenchLog = PgbenchLog.read(dir);
                if (pgbenchLog.lastCommitAtMs() < java.time.Instant.parse(report.get("steps").get(report.get("steps").size() - 1)
                        .get("startedAt").asText()).toEpochMilli()) {
                    throw new IllegalStateException("pgbench ended before the cutover released the freeze: the freeze"
                            + " was not measured under load; raise --load-seconds (now " + loadSeconds + ")");
                }
                return new Run(rep, cutover == 0, report.get("message").asText(), report.get("freezeMs").asDouble(),
                        pgbenchLog.longestMs(), anchor, pgbenchLog.transactions(), probed);
            } finally {
                pipeline.destroy();
                if (!pipeline.waitFor(60, TimeUnit.SECONDS)) {
                    pipeline.destroyForcibly();
                }
            }
        } finally {
            blue.execute("postgres", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            green.execute("postgres", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    private void prepare(LocalPostgres blue, LocalPostgres green, String db, String role, Path dir) throws Exception {
        blue.createDatabase(db);
        expectZero(pgbench(blue, dir, "-i", "-q", "-s", Integer.toString(scale), db).waitFor(), "pgbench -i",
                dir.resolve("pgbench.log"));
        green.createDatabase(db);
        expectZero(pgbench(green, dir, "-i", "-q", "-I", "dtp", db).waitFor(), "pgbench -i -I dtp on green",
                dir.resolve("pgbench.log"));
        for (LocalPostgres server : List.of(blue, green)) {
            server.execute(db, "ALTER TABLE pgbench_history ADD COLUMN hid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
            server.execute(db, WriteProbe.DDL);
            server.execute("postgres", "DROP ROLE IF EXISTS " + role);
            server.execute("postgres", "CREATE ROLE " + role + " LOGIN");
        }
        blue.execute(db, "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO " + role
                + "; GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO " + role);
    }

    private Path writeConfig(Path dir, String db, String role, LocalPostgres blue, LocalPostgres green,
                             LocalPgBouncer bouncer) throws IOException {
        StringBuilder tables = new StringBuilder();
        for (String t : TABLES) {
            tables.append("  - blue: public.").append(t).append("\n    green: public.").append(t).append('\n');
        }
        String yaml = "pipeline:\n  name: " + db + "\n  work-dir: " + dir.resolve("pipeline") + "\n"
                + "blue:\n  jdbc-url: " + blue.jdbcUrl(db) + "\n  user: postgres\n"
                + "green:\n  jdbc-url: " + green.jdbcUrl(db) + "\n  user: postgres\n"
                + "capture:\n  heartbeat-interval-ms: 100\n"
                + "tables:\n" + tables
                + "cutover:\n  application-role: " + role + "\n  freeze: router-pause\n"
                + "  router: { type: pgbouncer, admin-port: " + bouncer.port() + ", admin-user: postgres, database: " + db
                + ", config-file: '" + bouncer.configFile() + "' }\n";
        Path file = dir.resolve("pipeline.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /**
     * {@code LOCK TABLE} of the four tables IN EXCLUSIVE MODE plus commit, under the running load, ms: one
     * table per statement in pgbench's own write order (accounts, tellers, branches, history), the order
     * in which locking cannot deadlock with it; the floor of any lock-based freeze.
     */
    private static double lockAnchorMs(LocalPostgres blue, String db) throws SQLException {
        try (Connection c = blue.connect(db)) {
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            try (Statement st = c.createStatement()) {
                for (String t : List.of("pgbench_accounts", "pgbench_tellers", "pgbench_branches", "pgbench_history")) {
                    st.execute("LOCK TABLE " + t + " IN EXCLUSIVE MODE");
                }
            }
            c.commit();
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    /**
     * pgbench's per-transaction logs ({@code -l}; columns: client, transaction, latency us, script, epoch s,
     * epoch us), read once.
     *
     * @param longestMs longest transaction latency, ms
     * @param transactions transactions logged
     * @param lastCommitAtMs completion time of the last one, epoch ms
     */
    record PgbenchLog(double longestMs, long transactions, long lastCommitAtMs) {
        static PgbenchLog read(Path dir) throws IOException {
            long maxUs = 0;
            long count = 0;
            long last = 0;
            try (var files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.getFileName().toString().startsWith("pgbench_log")).toList()) {
                    for (String line : Files.readAllLines(f)) {
                        String[] cols = line.split(" ");
                        if (cols.length > 5) {
                            maxUs = Math.max(maxUs, Long.parseLong(cols[2]));
                            count++;
                            last = Math.max(last, Long.parseLong(cols[4]) * 1000 + Long.parseLong(cols[5]) / 1000);
                        }
                    }
                }
            }
            return new PgbenchLog(maxUs / 1000.0, count, last);
        }
    }

    private void awaitSnapshot(LocalPostgres green, String db, Process pipeline, Path dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (!pipeline.isAlive()) {
                throw new IllegalStateException("bluegreen run ended early; see " + dir.resolve("run.log"));
            }
            try (Connection c = green.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT count(*) FILTER (WHERE snapshot_done), count(*) FROM bluegreen.table_progress")) {
                if (rs.next() && rs.getLong(2) == TABLES.size() && rs.getLong(1) == TABLES.size()) {
                    Thread.sleep(1_000); // let streaming apply what the snapshot overlapped
                    return;
                }
            } catch (SQLException notYet) {
                // the control schema appears once the pipeline has started
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the snapshot did not finish within 5 minutes; see " + dir.resolve("run.log"));
    }

    /**
     * A production pipeline has run for hours when it is cut over; a fresh {@code bluegreen run} spends its first
     * ~30 s of CPU compiling and trails even a throttled load by seconds meanwhile (measured: 16 s behind
     * {@code pgbench -R 300} 20 s into the load, which the lag pre-check refuses). So the same load runs first for
     * {@code --warmup-seconds}, untimed, and the pipeline must then come back to under 1 s of lag.
     */
    private void warmUp(LocalPostgres blue, LocalPostgres green, String db, String role, LocalPgBouncer bouncer,
                        Path dir) throws Exception {
        if (warmupSeconds <= 0) {
            return;
        }
        expectZero(pgbench(blue, dir, loadArgs(warmupSeconds, role, bouncer, db)).waitFor(), "pgbench (warm-up)",
                dir.resolve("pgbench.log"));
        long deadline = System.nanoTime() + 180_000_000_000L;
        long lag = Long.MAX_VALUE;
        try (Connection c = green.connect(db); Statement st = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = st.executeQuery("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint"
                        + " - min(blue_commit_ms) FROM bluegreen.watermark")) {
                    rs.next();
                    lag = rs.getLong(1);
                }
                if (lag < 1_000) {
                    System.out.printf(Locale.ROOT, "  warm-up: %d s of load, then the pipeline's lag fell to %d ms%n",
                            warmupSeconds, lag);
                    return;
                }
                Thread.sleep(250);
            }
        }
        throw new IllegalStateException("after the " + warmupSeconds + " s warm-up the pipeline's lag stayed at " + lag
                + " ms for 3 minutes; see " + dir.resolve("run.log"));
    }

    /** pgbench's arguments for the application's load: {@code -c 4 -j 2} through PgBouncer as its role, at --rate. */
    private String[] loadArgs(int seconds, String role, LocalPgBouncer bouncer, String db, String... logging) {
        List<String> args = new ArrayList<>(List.of("-n", "-c", "4", "-j", "2", "-T", Integer.toString(seconds)));
        if (rate > 0) {
            args.addAll(List.of("-R", Integer.toString(rate)));
        }
        args.addAll(List.of("-U", role, "-h", "127.0.0.1", "-p", Integer.toString(bouncer.port())));
        args.addAll(List.of(logging));
        args.add(db);
        return args.toArray(String[]::new);
    }

    private Process start(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(BenchSupport.jvmOptions(root, args[0]));
        String extra = System.getenv("BENCH_CUTOVER_JAVA_OPTS"); // experiments: options for the coordinator only
        if (args[0].equals("cutover") && extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.strip().split("\\s+")));
        }
        cmd.addAll(List.of("-Dbluegreen.home=" + root, "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private int run(Path log, String... args) throws Exception {
        Process p = start(log, args);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("bluegreen " + args[0] + " did not end within 10 minutes; see " + log);
        }
        return p.exitValue();
    }

    private static Process pgbench(LocalPostgres server, Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(server.binDir().resolve("pgbench").toString()));
        List<String> rest = new ArrayList<>(List.of(args));
        if (!rest.contains("-h")) {
            cmd.addAll(List.of("-h", "127.0.0.1", "-p", Integer.toString(server.port()), "-U", "postgres"));
        }
        cmd.addAll(rest);
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("pgbench.log").toFile())).start();
    }

    private static void expectZero(int code, String what, Path log) {
        if (code != 0) {
            throw new IllegalStateException(what + " exited with " + code + "; see " + log);
        }
    }

    /**
     * The probe's figures for one cutover, and the check that blue holds exactly the writes it acknowledged.
     *
     * @throws SQLException when blue cannot be read
     */
    private static ProbeOutcome probeOutcome(List<WriteProbe.Write> writes, long probeStart, long cutoverStart,
                                             long cutoverEnd, long missingInGreen, LocalPostgres blue, String db)
            throws SQLException {
        List<String> errors = writes.stream().filter(w -> !w.acknowledged())
                .map(w -> "write " + w.id() + ": " + w.error()).toList();
        Set<Long> ackedOnBlue = writes.stream().filter(w -> w.acknowledged() && w.port() == blue.port())
                .map(WriteProbe.Write::id).collect(Collectors.toSet());
        long ackedOnGreen = writes.stream().filter(w -> w.acknowledged() && w.port() != blue.port()).count();
        Set<Long> onBlue = new HashSet<>();
        try (Connection c = blue.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM bench_probe")) {
            while (rs.next()) {
                onBlue.add(rs.getLong(1));
            }
        }
        Set<Long> mismatch = new HashSet<>(onBlue);
        mismatch.removeAll(ackedOnBlue);
        Set<Long> lost = new HashSet<>(ackedOnBlue);
        lost.removeAll(onBlue);
        mismatch.addAll(lost);
        return new ProbeOutcome(WriteProbe.longestGapMs(writes, cutoverStart, cutoverEnd),
                WriteProbe.longestGapMs(writes, probeStart, cutoverStart), errors.subList(0, Math.min(5, errors.size())),
                ackedOnBlue.size(), ackedOnGreen, missingInGreen, mismatch.size());
    }

    /**
     * How many of the probe's writes acknowledged by blue green does not hold.
     *
     * @throws SQLException when green cannot be read
     */
    private static long missingInGreen(LocalPostgres green, String db, List<WriteProbe.Write> writes, int bluePort)
            throws SQLException {
        Long[] ids = writes.stream().filter(w -> w.acknowledged() && w.port() == bluePort).map(WriteProbe.Write::id)
                .toArray(Long[]::new);
        try (Connection c = green.connect(db);
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM bench_probe WHERE id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("bigint", ids));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return ids.length - rs.getLong(1);
            }
        }
    }

    private void report(List<Run> all, int reps) {
        BenchReport report = new BenchReport("s5-cutover", "the write-blocked window a client probe (one autocommit"
                + " insert every " + WriteProbe.INTERVAL_MS + " ms through PgBouncer) sees across bluegreen cutover"
                + " under pgbench -c 4 -j 2, vs a bare LOCK TABLE");
        report.parameter("scale", scale).parameter("cutovers", reps).parameter("load seconds", loadSeconds)
                .parameter("warm-up seconds", warmupSeconds)
                .parameter("pgbench rate", rate > 0 ? rate + " tps (-R)" : "unlimited")
                .parameter("freeze", "router-pause").parameter("final check", skipFinalVerify ? "skipped" : "included");
        List<Run> runs = all.stream().filter(Run::flipped).toList();
        for (Run r : runs) {
            report.series(WINDOW, "ms", "bluegreen").add(r.probe().windowMs());
            report.series(FREEZE, "ms", "bluegreen").add(r.freezeMs());
            report.series(CLIENT, "ms", "bluegreen").add(r.clientMaxMs());
            report.series(BEFORE, "ms", "load").add(r.probe().beforeMs());
            report.series(ANCHOR, "ms", "anchor").add(r.lockAnchorMs());
        }
        report.note(all.size() + " cutovers, " + runs.size() + " flipped, " + (all.size() - runs.size())
                + " aborted (stayed on blue); the figures are over the flipped ones"
                + all.stream().filter(r -> !r.flipped()).map(r -> "; rep " + r.rep() + ": " + r.message())
                .collect(Collectors.joining()));
        if (runs.isEmpty()) {
            report.note("no cutover flipped: no figure");
            report.write();
            return;
        }
        List<Double> window = runs.stream().map(r -> r.probe().windowMs()).toList();
        double p50 = BenchReport.percentile(window, 50);
        double p99 = BenchReport.percentile(window, 99);
        for (String name : List.of(WINDOW, FREEZE, CLIENT, BEFORE, ANCHOR)) {
            List<Double> v = report.series(name, "ms", "").values();
            report.note(String.format(Locale.ROOT, "%s: p50 %.1f ms, p99 %.1f ms, max %.1f ms (nearest rank over %d;"
                    + " with fewer than 100 samples p99 is the maximum)", name, BenchReport.percentile(v, 50),
                    BenchReport.percentile(v, 99), BenchReport.percentile(v, 100), v.size()));
        }
        report.ratio("probe window / LOCK anchor", WINDOW, ANCHOR);
        report.ratio("freeze window / LOCK anchor", FREEZE, ANCHOR);
        report.target("p50 of the probe's write-blocked window <= 100 ms", p50 <= 100,
                String.format(Locale.ROOT, "%.1f ms", p50));
        report.target("p99 of the probe's write-blocked window <= 500 ms", p99 <= 500,
                String.format(Locale.ROOT, "%.1f ms", p99));
        long errors = all.stream().mapToLong(r -> r.probe().errors().size()).sum();
        report.target("the probe never sees an error", errors == 0, errors == 0 ? "0 errors" : errors + " errors; first: "
                + all.stream().flatMap(r -> r.probe().errors().stream()).findFirst().orElse(""));
        // only a flip promises green every write blue acknowledged; an aborted cutover leaves the pipeline lagging
        long missing = runs.stream().mapToLong(r -> r.probe().missingInGreen()).sum();
        long mismatch = all.stream().mapToLong(r -> r.probe().blueMismatch()).sum();
        long acked = runs.stream().mapToLong(r -> r.probe().ackedOnBlue()).sum();
        report.target("every probe write acknowledged on blue is in green after the flip (checked by id right after"
                + " the cutover ended, flipped cutovers), and blue holds exactly the ones it acknowledged (all)",
                missing == 0 && mismatch == 0,
                acked + " acknowledged on blue, " + missing + " missing in green, " + mismatch + " mismatched on blue");
        report.write();
    }

}
