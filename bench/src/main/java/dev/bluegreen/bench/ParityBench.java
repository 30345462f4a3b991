package dev.bluegreen.bench;

import static dev.bluegreen.bench.report.BenchSupport.intArg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bluegreen.bench.report.BenchReport;
import dev.bluegreen.bench.report.BenchSupport;
import dev.bluegreen.testkit.LocalPostgres;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;
import org.postgresql.PGConnection;

/**
 * S4 of issue 5: how fast does {@code bluegreen verify} compare a table, per side, against what the two
 * servers can do with the same table?
 *
 * <p>One pair of throwaway servers ({@link LocalPostgres}) gets identical data: {@code pgbench -i -s SCALE}
 * on both (pgbench's initial data is deterministic), then, on both, {@code pgbench_accounts.filler} turned
 * from {@code character(84)} into {@code varchar(84)} with its 84 blanks kept ({@code rpad}): verify
 * never pushes a {@code char(n)} column down (its text cast strips the padding), so without this
 * {@code --path pushdown} would silently stream. Then {@code VACUUM (FREEZE, ANALYZE)} and a warm-up of
 * every path (untimed). The pipeline config maps {@code public.pgbench_accounts} onto itself; verify
 * needs no running pipeline (it creates green's control schema itself and, with no differences, never
 * waits for the sink).
 *
 * <p>Timed per repetition, interleaved (the first of the five rotates), rows/s = rows compared per side /
 * seconds:
 * <ul>
 *   <li>{@code bluegreen verify --path pushdown} and {@code --path streaming}, the shipped jar as a child
 *       process; two figures each: the table's own {@code durationMs} from {@code parity-report.json} (the
 *       pass, excluding JVM start, config validation and report writing) and the whole process's wall
 *       time. The report must say parity, the path asked for, and the expected row count;</li>
 *   <li>anchor (1): a server-side chunked {@code hashtext} pass: per key range of CHUNK rows,
 *       {@code SELECT count(*), sum(hashtext(t::text)::bigint) FROM pgbench_accounts t WHERE aid >= ? AND
 *       aid < ?} on both sides, each side on its own thread (sides in parallel); the chunk results must be
 *       equal on both sides;</li>
 *   <li>the same anchor with the sides in sequence per chunk (blue, then green, one thread: the order in
 *       which verify's pushdown pass first worked), to split the gap;</li>
 *   <li>anchor (2): {@code COPY (SELECT * FROM pgbench_accounts ORDER BY aid) TO STDOUT} through PgJDBC's
 *       {@code CopyManager} into a discarding stream, both sides in parallel.</li>
 * </ul>
 *
 * <p>After the repetitions, untimed for the ratios, a breakdown of where pushdown's time goes: the cost
 * per row of the hash expressions over the whole table on blue (one statement each); then both servers are
 * restarted with {@code pg_stat_statements}, one {@code verify --path pushdown} runs, and the servers'
 * own execution time per statement is set against verify's pass time (the rest is round trips, client
 * work and the other side), while {@code auto_explain} (ANALYZE, BUFFERS, a sample of about ten
 * statements) logs the plan of verify's own blue chunk statement. With {@code --jfr}, one more verify per path
 * runs under Java Flight Recorder and the hottest methods of its samples are listed.
 *
 * <p>Results through {@link BenchReport} id {@code s4-parity}. Arguments: {@code --scale N} (default 50),
 * {@code --reps N} (default 5), {@code --chunk-size N} (rows, default 5000), {@code --jfr}. Not thread-safe;
 * run once per JVM.
 */
public final class ParityBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DB = "parity";
    private static final String TABLE = "public.pgbench_accounts";
    private static final String PUSHDOWN = "verify --path pushdown (table pass, verify's own timing)";
    private static final String PUSHDOWN_WALL = "verify --path pushdown (whole process, JVM start included)";
    private static final String STREAMING = "verify --path streaming (table pass, verify's own timing)";
    private static final String STREAMING_WALL = "verify --path streaming (whole process, JVM start included)";
    private static final String HASHTEXT = "anchor: chunked hashtext pass, sides in parallel";
    private static final String HASHTEXT_SEQ = "anchor: chunked hashtext pass, sides in sequence per chunk";
    /** Plans auto_explain should log in the breakdown run, about (only sampled statements pay for timing). */
    private static final int EXPLAIN_PLANS = 10;
    private static final String COPY = "anchor: COPY (SELECT * ORDER BY aid) TO STDOUT, null sink, sides in parallel";

    private final Path root;
    private final Path jar;
    private final Path work;
    private final int chunkRows;
    private final LocalPostgres blue;
    private final LocalPostgres green;
    private final ExecutorService sides = Executors.newFixedThreadPool(2);
    private Path config;
    private long rows;
    private int verifyRuns;

    private ParityBench(Path root, int chunkRows, LocalPostgres blue, LocalPostgres green) throws IOException {
        this.root = root;
        this.jar = root.resolve("cli/target/bluegreen.jar");
        this.work = Files.createDirectories(root.resolve("bench/target/parity-work"));
        this.chunkRows = chunkRows;
        this.blue = blue;
        this.green = green;
    }

    /** One verify: the table pass's and the whole process's time, ms. */
    private record VerifyRun(double passMs, double wallMs) {
    }

    public static void main(String[] args) throws Exception {
        int scale = intArg(args, "--scale", 50);
        int reps = intArg(args, "--reps", 5);
        int chunk = intArg(args, "--chunk-size", 5000);
        boolean jfr = List.of(args).contains("--jfr");
        if (scale < 1 || reps < 1 || chunk < 1) {
            throw new IllegalArgumentException("--scale, --reps and --chunk-size must be at least 1");
        }
        Path root = Path.of(System.getProperty("bluegreen.project.root", ".")).toAbsolutePath().normalize();
        BenchReport report = new BenchReport("s4-parity", "bluegreen verify rows/s per side (pushdown, streaming)"
                + " vs a server-side chunked hashtext pass and a key-ordered COPY, on identical pgbench_accounts");
        report.parameter("scale", scale).parameter("repetitions", reps).parameter("chunk rows", chunk);
        try (LocalPostgres blue = LocalPostgres.start("bench-par-blue");
             LocalPostgres green = LocalPostgres.start("bench-par-green")) {
            ParityBench bench = new ParityBench(root, chunk, blue, green);
            try {
                bench.prepare(scale);
                report.parameter("rows per side", bench.rows);
                bench.measure(report, reps);
                bench.breakdown(report, jfr);
            } finally {
                bench.sides.shutdownNow();
            }
        }
        double ratio = report.ratio("pushdown / hashtext pass", PUSHDOWN, HASHTEXT);
        report.ratio("pushdown / hashtext pass in sequence", PUSHDOWN, HASHTEXT_SEQ);
        report.ratio("streaming / COPY", STREAMING, COPY);
        report.ratio("streaming / hashtext pass", STREAMING, HASHTEXT);
        report.target(">= 0.7 (verify --path pushdown rows/s / chunked hashtext pass rows/s)", ratio >= 0.7,
                String.format(Locale.ROOT, "%.2f", ratio));
        report.write();
    }

    // ---------------------------------------------------------------- set-up

    private void prepare(int scale) throws Exception {
        Path dir = work.resolve("setup");
        Files.createDirectories(dir);
        List<Future<Void>> inits = new ArrayList<>();
        for (LocalPostgres side : List.of(blue, green)) {
            inits.add(sides.submit(() -> {
                side.createDatabase(DB);
                Process p = pgbench(side, dir.resolve("pgbench-" + side.name() + ".log"), "-i", "-q", "-s",
                        Integer.toString(scale), DB);
                expectZero(p.waitFor(), "pgbench -i on " + side.name(), dir.resolve("pgbench-" + side.name() + ".log"));
                // verify pushes no char(n) column down (its text cast strips the padding): keep the 84 blanks as varchar
                side.execute(DB, "ALTER TABLE pgbench_accounts ALTER COLUMN filler TYPE varchar(84) USING rpad(filler, 84)");
                side.execute(DB, "VACUUM (FREEZE, ANALYZE) pgbench_accounts");
                side.execute(DB, "CHECKPOINT");
                return null;
            }));
        }
        for (Future<Void> f : inits) {
            f.get();
        }
        rows = count(blue);
        if (rows != count(green) || rows != scale * 100_000L) {
            throw new IllegalStateException("pgbench -i gave " + rows + " rows on blue and " + count(green)
                    + " on green; expected " + scale * 100_000L);
        }
        config = dir.resolve("pipeline.yaml");
        Files.writeString(config, "pipeline:\n  name: " + DB + "\n  work-dir: " + dir.resolve("pipeline") + "\n"
                + "blue:\n  jdbc-url: " + blue.jdbcUrl(DB) + "\n  user: postgres\n"
                + "green:\n  jdbc-url: " + green.jdbcUrl(DB) + "\n  user: postgres\n"
                + "tables:\n  - blue: " + TABLE + "\n    green: " + TABLE + "\n");
        System.out.printf(Locale.ROOT, "prepared %,d identical rows per side (pgbench -i -s %d)%n", rows, scale);
    }

    private static long count(LocalPostgres side) throws SQLException {
        try (Connection c = side.connect(DB); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pgbench_accounts")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ---------------------------------------------------------------- the repetitions

    private void measure(BenchReport report, int reps) throws Exception {
        Map<String, Callable<double[]>> paths = new LinkedHashMap<>();
        paths.put(PUSHDOWN, () -> verifyFigures("pushdown"));
        paths.put(STREAMING, () -> verifyFigures("streaming"));
        paths.put(HASHTEXT, () -> new double[] {hashtextParallelMs()});
        paths.put(HASHTEXT_SEQ, () -> new double[] {hashtextSequentialMs()});
        paths.put(COPY, () -> new double[] {copyMs()});
        List<String> names = new ArrayList<>(paths.keySet());
        System.out.println("warm-up (untimed): every path once");
        for (String n : names) {
            paths.get(n).call();
        }
        for (int rep = 1; rep <= reps; rep++) {
            List<String> order = new ArrayList<>(names);
            Collections.rotate(order, -((rep - 1) % names.size()));
            StringBuilder line = new StringBuilder("rep " + rep + ":");
            for (String n : order) {
                double[] ms = paths.get(n).call();
                report.series(n, "rows/s", n.startsWith("anchor") ? "anchor" : "bluegreen").add(perSecond(ms[0]));
                if (ms.length > 1) {
                    String wall = n.equals(PUSHDOWN) ? PUSHDOWN_WALL : STREAMING_WALL;
                    report.series(wall, "rows/s", "bluegreen").add(perSecond(ms[1]));
                }
                line.append(String.format(Locale.ROOT, " [%s %,.0f rows/s]", n.replaceAll(" \\(.*", "")
                        .replace("anchor: ", ""), perSecond(ms[0])));
            }
            System.out.println(line);
        }
    }

    private double perSecond(double ms) {
        return rows * 1000.0 / ms;
    }

    /** {@code bluegreen verify --path P}; returns {pass ms, wall ms}. */
    private double[] verifyFigures(String path) throws Exception {
        VerifyRun r = verify(path, List.of());
        return new double[] {r.passMs(), r.wallMs()};
    }

    private VerifyRun verify(String path, List<String> jvmOptions) throws Exception {
        Path dir = work.resolve("verify-" + (++verifyRuns));
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(BenchSupport.jvmOptions(root, "verify"));
        cmd.add("-Dbluegreen.home=" + root);
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar.toString(), "verify", "--config", config.toString(), "--report", dir.toString(),
                "--no-progress", "--path", path, "--chunk-size", Integer.toString(chunkRows)));
        Path log = dir.resolve("verify.log");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("bluegreen verify did not end within 60 minutes; see " + log);
        }
        double wallMs = (System.nanoTime() - t0) / 1e6;
        expectZero(p.exitValue(), "bluegreen verify --path " + path + " (0 = parity)", log);
        JsonNode t = JSON.readTree(dir.resolve("parity-report.json").toFile()).get("tables").get(0);
        if (!t.get("path").asText().equals(path) || t.get("blueRows").asLong() != rows
                || !t.get("verdict").asText().equals("match")) {
            throw new IllegalStateException("verify --path " + path + " reported path " + t.get("path") + ", "
                    + t.get("blueRows") + " blue rows (expected " + rows + "), verdict " + t.get("verdict") + "; see "
                    + dir.resolve("parity-report.json"));
        }
        return new VerifyRun(t.get("durationMs").asDouble(), wallMs);
    }

    /** Chunk results of one side: {count, sum} per chunk, in key order. */
    private List<List<Long>> hashtextSide(Connection c, int minAid, int maxAid) throws SQLException {
        List<List<Long>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*), sum(hashtext(t::text)::bigint)"
                + " FROM pgbench_accounts t WHERE aid >= ? AND aid < ?")) {
            for (long lo = minAid; lo <= maxAid; lo += chunkRows) {
                out.add(hashChunk(ps, lo));
            }
        }
        return out;
    }

    private List<Long> hashChunk(PreparedStatement ps, long lo) throws SQLException {
        ps.setInt(1, (int) lo);
        ps.setInt(2, (int) Math.min(Integer.MAX_VALUE, lo + chunkRows));
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return List.of(rs.getLong(1), rs.getLong(2));
        }
    }

    /** Anchor (1): each side on its own thread; ms. */
    private double hashtextParallelMs() throws Exception {
        try (Connection b = blue.connect(DB); Connection g = green.connect(DB)) {
            long t0 = System.nanoTime();
            int[] range = aidRange(b);
            Future<List<List<Long>>> fb = sides.submit(() -> hashtextSide(b, range[0], range[1]));
            Future<List<List<Long>>> fg = sides.submit(() -> hashtextSide(g, range[0], range[1]));
            List<List<Long>> rb = fb.get();
            List<List<Long>> rg = fg.get();
            double ms = (System.nanoTime() - t0) / 1e6;
            checkSame(rb, rg);
            return ms;
        }
    }

    /** The same anchor, blue then green per chunk on one thread (verify's order); ms. */
    private double hashtextSequentialMs() throws Exception {
        try (Connection b = blue.connect(DB); Connection g = green.connect(DB);
             PreparedStatement pb = b.prepareStatement("SELECT count(*), sum(hashtext(t::text)::bigint)"
                     + " FROM pgbench_accounts t WHERE aid >= ? AND aid < ?");
             PreparedStatement pg = g.prepareStatement("SELECT count(*), sum(hashtext(t::text)::bigint)"
                     + " FROM pgbench_accounts t WHERE aid >= ? AND aid < ?")) {
            long t0 = System.nanoTime();
            int[] range = aidRange(b);
            List<List<Long>> rb = new ArrayList<>();
            List<List<Long>> rg = new ArrayList<>();
            for (long lo = range[0]; lo <= range[1]; lo += chunkRows) {
                rb.add(hashChunk(pb, lo));
                rg.add(hashChunk(pg, lo));
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            checkSame(rb, rg);
            return ms;
        }
    }

    private void checkSame(List<List<Long>> blueChunks, List<List<Long>> greenChunks) {
        long total = blueChunks.stream().mapToLong(c -> c.get(0)).sum();
        if (!blueChunks.equals(greenChunks) || total != rows) {
            throw new IllegalStateException("the hashtext anchor found differing chunks or " + total + " rows instead"
                    + " of " + rows + ": the two sides do not hold identical data");
        }
    }

    private static int[] aidRange(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT min(aid), max(aid) FROM pgbench_accounts")) {
            rs.next();
            return new int[] {rs.getInt(1), rs.getInt(2)};
        }
    }

    /** Anchor (2): both sides' key-ordered COPY into a null stream, in parallel; ms. */
    private double copyMs() throws Exception {
        try (Connection b = blue.connect(DB); Connection g = green.connect(DB)) {
            long t0 = System.nanoTime();
            Future<Long> fb = sides.submit(() -> copyOut(b));
            Future<Long> fg = sides.submit(() -> copyOut(g));
            long rb = fb.get();
            long rg = fg.get();
            double ms = (System.nanoTime() - t0) / 1e6;
            if (rb != rows || rg != rows) {
                throw new IllegalStateException("COPY gave " + rb + " rows on blue and " + rg + " on green, expected " + rows);
            }
            return ms;
        }
    }

    private static long copyOut(Connection c) throws SQLException, IOException {
        return c.unwrap(PGConnection.class).getCopyAPI().copyOut(
                "COPY (SELECT * FROM pgbench_accounts ORDER BY aid) TO STDOUT", OutputStream.nullOutputStream());
    }

    // ---------------------------------------------------------------- where the time goes (untimed for the ratios)

    private void breakdown(BenchReport report, boolean jfr) throws Exception {
        String cols = "ROW(aid::text, bid::text, abalance::text, filler::text)::text";
        Map<String, String> expressions = new LinkedHashMap<>();
        expressions.put("count(*) (the scan alone)", "count(*)");
        expressions.put("sum(hashtext(t::text)::bigint) (the anchor's hash)", "sum(hashtext(t::text)::bigint)");
        expressions.put("count(md5(ROW(c::text, ...)::text)) (verify's row hash alone)", "count(md5(" + cols + "))");
        expressions.put("sum(('x' || substr(md5(ROW(...)), 1, 16))::bit(64)::bigint) (verify's whole per-row"
                + " expression)", "sum(('x' || substr(md5(" + cols + "), 1, 16))::bit(64)::bigint)");
        expressions.put("sum(hashtextextended(ROW(...), 0)) (a 64-bit server hash of verify's row text, no md5)",
                "sum(hashtextextended(" + cols + ", 0))");
        StringBuilder costs = new StringBuilder("Per-row cost on blue, one statement over the whole table, no chunks"
                + " (single run, after the repetitions):");
        try (Connection c = blue.connect(DB); Statement st = c.createStatement()) {
            for (Map.Entry<String, String> e : expressions.entrySet()) {
                long t0 = System.nanoTime();
                try (ResultSet rs = st.executeQuery("SELECT " + e.getValue() + " FROM pgbench_accounts t")) {
                    rs.next();
                }
                double ms = (System.nanoTime() - t0) / 1e6;
                costs.append(String.format(Locale.ROOT, " %s %,.0f rows/s (%.2f us/row);", e.getKey(), perSecond(ms),
                        ms * 1000 / rows));
            }
        }
        report.note(costs.toString());
        statementTimes(report);
        if (jfr) {
            for (String path : List.of("pushdown", "streaming")) {
                Path file = work.resolve("verify-" + path + ".jfr");
                verify(path, List.of("-XX:StartFlightRecording=filename=" + file + ",settings=profile"));
                report.note("JFR of verify --path " + path + " (" + file + "), hottest top frames of the execution"
                        + " samples: " + hottest(file, 8));
            }
        }
    }

    /**
     * Restarts both servers with {@code pg_stat_statements}, runs one {@code verify --path pushdown} and sets
     * each side's execution time per statement against verify's pass; {@code auto_explain} (ANALYZE,
     * BUFFERS) logs a sample of the statements, of which the first blue chunk plan is kept.
     */
    private void statementTimes(BenchReport report) throws Exception {
        // two planned statements per chunk and side (the settings, the hash with the clock)
        double sampleRate = Math.min(1.0, EXPLAIN_PLANS / (2.0 * Math.max(1, rows / chunkRows)));
        for (LocalPostgres side : List.of(blue, green)) {
            side.execute("postgres", "ALTER SYSTEM SET shared_preload_libraries = pg_stat_statements, auto_explain");
            restart(side);
            // auto_explain's settings exist once the library is loaded
            side.execute("postgres", "ALTER SYSTEM SET auto_explain.log_min_duration = 0");
            side.execute("postgres", "ALTER SYSTEM SET auto_explain.log_analyze = on");
            side.execute("postgres", "ALTER SYSTEM SET auto_explain.log_buffers = on");
            side.execute("postgres", "ALTER SYSTEM SET auto_explain.sample_rate = " + sampleRate);
            side.execute("postgres", "SELECT pg_reload_conf()");
            side.execute(DB, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            side.execute(DB, "SELECT pg_stat_statements_reset()");
        }
        Thread.sleep(500); // the reload reaches the postmaster before verify connects
        VerifyRun run = verify("pushdown", List.of());
        for (LocalPostgres side : List.of(blue, green)) {
            String name = side == blue ? "blue" : "green";
            StringBuilder sb = new StringBuilder();
            double totalMs = 0;
            try (Connection c = side.connect(DB); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT query, calls, total_exec_time FROM pg_stat_statements s"
                         + " JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = '" + DB + "'"
                         + " AND query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC")) {
                int listed = 0;
                while (rs.next()) {
                    String q = rs.getString(1).replaceAll("\\s+", " ");
                    double ms = rs.getDouble(3);
                    totalMs += ms;
                    if (listed++ < 4) {
                        sb.append(String.format(Locale.ROOT, " %,d calls %,.0f ms `%s`;", rs.getLong(2), ms,
                                q.length() > 90 ? q.substring(0, 90) + "..." : q));
                    }
                }
            }
            report.note(String.format(Locale.ROOT, "pg_stat_statements during one verify --path pushdown (pass %,.0f"
                    + " ms, %,.0f rows/s): %s executed statements for %,.0f ms (%.0f%% of the pass); top:%s", run.passMs(),
                    perSecond(run.passMs()), name, totalMs, 100 * totalMs / run.passMs(), sb));
        }
        Path file = work.resolve("explain-blue-chunk.txt");
        String plan = sampledPlan(blue.dataDir().resolve("server.log"));
        if (plan == null) {
            report.note("auto_explain logged no plan of verify's blue chunk statement (sample rate "
                    + sampleRate + "); no plan figure");
        } else {
            Files.writeString(file, plan);
            System.out.println("auto_explain (ANALYZE, BUFFERS) of one of verify's blue chunk statements:\n" + plan);
            String top = plan.lines().filter(l -> l.contains("actual time")).findFirst().orElse("?").trim();
            report.note("auto_explain (ANALYZE, BUFFERS) of a sampled blue chunk statement of that verify: top node `"
                    + top + "`; the whole plan in " + file);
        }
    }

    /** The first plan auto_explain logged for a statement with a Limit node (verify's blue chunk), or null. */
    private static String sampledPlan(Path serverLog) throws IOException {
        List<String> lines = Files.readAllLines(serverLog);
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).contains("plan:")) {
                continue;
            }
            StringBuilder block = new StringBuilder(lines.get(i)).append('\n');
            int j = i + 1;
            while (j < lines.size() && !lines.get(j).matches("^\\d{4}-\\d\\d-\\d\\d .*")) {
                block.append(lines.get(j++)).append('\n');
            }
            if (block.indexOf("Limit") >= 0 && block.indexOf("hashtextextended") >= 0) {
                return block.toString();
            }
            i = j - 1;
        }
        return null;
    }

    private void restart(LocalPostgres side) throws Exception {
        Path script = root.resolve("deploy/local/postgres.sh");
        for (List<String> args : List.of(List.of("stop", side.dataDir().toString()),
                List.of("start", side.dataDir().toString(), Integer.toString(side.port())))) {
            List<String> cmd = new ArrayList<>(List.of(script.toString()));
            cmd.addAll(args);
            Path log = work.resolve("restart-" + side.name() + ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            expectZero(p.waitFor(), "postgres.sh " + String.join(" ", args), log);
        }
    }

    /** The methods most often on top of the recording's execution samples, with their share. */
    private static String hottest(Path file, int n) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        int total = 0;
        for (var e : RecordingFile.readAllEvents(file)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) {
                continue;
            }
            RecordedFrame top = st.getFrames().get(0);
            counts.merge(top.getMethod().getType().getName() + "." + top.getMethod().getName(), 1, Integer::sum);
            total++;
        }
        int all = total;
        StringBuilder sb = new StringBuilder(all + " samples;");
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(n)
                .forEach(e -> sb.append(String.format(Locale.ROOT, " %s %.0f%%;", e.getKey(), 100.0 * e.getValue() / all)));
        return sb.toString();
    }

    // ---------------------------------------------------------------- helpers

    private static Process pgbench(LocalPostgres server, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(server.binDir().resolve("pgbench").toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(server.port()), "-U", "postgres"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    private static void expectZero(int code, String what, Path log) {
        if (code != 0) {
            throw new IllegalStateException(what + " exited with " + code + "; see " + log);
        }
    }

}
