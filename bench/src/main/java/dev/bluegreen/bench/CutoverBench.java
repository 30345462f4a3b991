package dev.bluegreen.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bluegreen.testkit.LocalPgBouncer;
import dev.bluegreen.testkit.LocalPostgres;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

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
 * <p>Prints a markdown table (p50, p99, max over the repetitions, ratio of medians to the anchor)
 * and writes JSON to {@code bench/target/results/cutover-<timestamp>.json}. Arguments: {@code --reps N}
 * (default 10), {@code --scale N} (default 1), {@code --load-seconds N} (default 60; the cutover must end
 * before the load does, else the repetition fails), {@code --skip-final-verify} (passed to the cutover).
 */
public final class CutoverBench {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;
    private final Path jar;
    private final Path work;
    private final int scale;
    private final int loadSeconds;
    private final boolean skipFinalVerify;

    private CutoverBench(Path root, int scale, int loadSeconds, boolean skipFinalVerify) throws IOException {
        this.root = root;
        this.jar = root.resolve("cli/target/bluegreen.jar");
        this.work = Files.createDirectories(root.resolve("bench/target/cutover-work"));
        this.scale = scale;
        this.loadSeconds = loadSeconds;
        this.skipFinalVerify = skipFinalVerify;
    }

    /** One repetition's figures, ms. */
    record Run(int rep, boolean flipped, String message, double freezeMs, double clientMaxMs, double lockAnchorMs,
               long transactions) {
    }

    public static void main(String[] args) throws Exception {
        int reps = intArg(args, "--reps", 10);
        CutoverBench bench = new CutoverBench(Path.of(System.getProperty("bluegreen.project.root", ".")).toAbsolutePath().normalize(), intArg(args, "--scale", 1),
                intArg(args, "--load-seconds", 60), List.of(args).contains("--skip-final-verify"));
        List<Run> runs = new ArrayList<>();
        try (LocalPostgres blue = LocalPostgres.start("bench-cut-blue");
             LocalPostgres green = LocalPostgres.start("bench-cut-green")) {
            for (int rep = 1; rep <= reps; rep++) {
                Run r = bench.repetition(rep, blue, green);
                System.out.printf(Locale.ROOT, "rep %d: %s, freeze %.1f ms, longest client transaction %.1f ms, LOCK"
                        + " anchor %.1f ms, %d pgbench transactions%s%n", rep, r.flipped() ? "flipped" : "ABORTED",
                        r.freezeMs(), r.clientMaxMs(), r.lockAnchorMs(), r.transactions(),
                        r.flipped() ? "" : " (" + r.message() + ")");
                runs.add(r);
            }
        }
        bench.report(runs);
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
                expectZero(run(dir.resolve("verify.log"), "verify", "--config", config.toString(), "--report",
                        dir.resolve("verify").toString(), "--no-progress"), "bluegreen verify", dir.resolve("verify.log"));
                Process load = pgbench(blue, dir, "-n", "-c", "4", "-j", "2", "-T", Integer.toString(loadSeconds), "-U",
                        role, "-h", "127.0.0.1", "-p", Integer.toString(bouncer.port()), "-l", "--log-prefix",
                        dir.resolve("pgbench_log").toString(), db);
                Thread.sleep(4_000);
                double anchor = lockAnchorMs(blue, db);
                Thread.sleep(1_000);
                List<String> cutoverArgs = new ArrayList<>(List.of("cutover", "--config", config.toString(), "--report",
                        dir.resolve("cutover").toString()));
                if (skipFinalVerify) {
                    cutoverArgs.add("--skip-final-verify");
                }
                int cutover = run(dir.resolve("cutover.log"), cutoverArgs.toArray(String[]::new));
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
                        pgbenchLog.longestMs(), anchor, pgbenchLog.transactions());
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
            server.execute("postgres", "DROP ROLE IF EXISTS " + role);
            server.execute("postgres", "CREATE ROLE " + role + " LOGIN");
        }
        blue.execute(db, "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO " + role
                + "; GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO " + role);
    }

    private Path writeConfig(Path dir, String db, String role, LocalPostgres blue, LocalPostgres green,
                             LocalPgBouncer bouncer) throws IOException {
        StringBuilder tables = new StringBuilder();
        for (String t : List.of("pgbench_branches", "pgbench_tellers", "pgbench_accounts", "pgbench_history")) {
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
                if (rs.next() && rs.getLong(2) == 4 && rs.getLong(1) == 4) {
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

    private Process start(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dbluegreen.home=" + root, "-jar", jar.toString()));
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

    private void report(List<Run> all) throws IOException {
        List<Run> runs = all.stream().filter(Run::flipped).toList();
        if (runs.isEmpty()) {
            throw new IllegalStateException("no cutover flipped in " + all.size() + " repetitions");
        }
        List<Double> freeze = sorted(runs.stream().map(Run::freezeMs).toList());
        List<Double> client = sorted(runs.stream().map(Run::clientMaxMs).toList());
        List<Double> anchor = sorted(runs.stream().map(Run::lockAnchorMs).toList());
        String machine = String.format(Locale.ROOT, "%d cores, %.1f GiB, load average %.2f",
                Runtime.getRuntime().availableProcessors(), totalMemoryGiB(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.println();
        System.out.printf(Locale.ROOT, "Cutover under pgbench -c 4 -j 2 (scale %d)%s, %d cutovers, %d flipped, %d aborted"
                + " (stayed on blue); figures over the flipped ones; %s%n%n", scale,
                skipFinalVerify ? ", --skip-final-verify" : "", all.size(), runs.size(),
                all.size() - runs.size(), machine);
        System.out.println("| figure | p50 ms | p99 ms | max ms | p50 ratio to anchor |");
        System.out.println("|---|---|---|---|---|");
        row("bluegreen freeze window (router pause to resume" + (skipFinalVerify ? ", no final check)"
                : ", final check included)"), freeze, anchor);
        row("longest pgbench transaction (the pause a client felt)", client, anchor);
        row("anchor: LOCK TABLE 4 tables IN EXCLUSIVE MODE + COMMIT on blue", anchor, anchor);
        ObjectNode json = JSON.createObjectNode().put("scale", scale).put("machine", machine);
        ArrayNode arr = json.putArray("runs");
        all.forEach(r -> arr.addObject().put("rep", r.rep()).put("flipped", r.flipped()).put("message", r.message())
                .put("freezeMs", r.freezeMs())
                .put("clientMaxMs", r.clientMaxMs()).put("lockAnchorMs", r.lockAnchorMs())
                .put("transactions", r.transactions()));
        Path out = Files.createDirectories(root.resolve("bench/target/results")).resolve("cutover-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".json");
        Files.writeString(out, JSON.writeValueAsString(json));
        System.out.println();
        System.out.println("results: " + out);
    }

    private static void row(String name, List<Double> values, List<Double> anchor) {
        System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f |%n", name, percentile(values, 50),
                percentile(values, 99), values.get(values.size() - 1), percentile(values, 50) / percentile(anchor, 50));
    }

    /** Nearest-rank percentile of sorted values. */
    private static double percentile(List<Double> sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static List<Double> sorted(List<Double> values) {
        List<Double> out = new ArrayList<>(values);
        Collections.sort(out);
        return out;
    }

    private static double totalMemoryGiB() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() / (1024.0 * 1024 * 1024);
        }
        return Double.NaN;
    }

    private static int intArg(String[] args, String name, int def) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return def;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Collections.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
