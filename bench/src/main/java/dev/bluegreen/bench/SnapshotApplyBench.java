package dev.bluegreen.bench;

import static dev.bluegreen.bench.report.BenchSupport.intArg;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.zaxxer.hikari.HikariDataSource;
import dev.bluegreen.core.config.EndpointConfig;
import dev.bluegreen.core.endpoint.Endpoints;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.testkit.LocalPostgres;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * What is the fastest correct way for the sink to write snapshot rows into green?
 *
 * <p>On one throwaway PostgreSQL ({@link LocalPostgres}), writes the same N canonical rows of
 * {@code bank.account} (see {@link AccountRows}) into a freshly {@code TRUNCATE}d table by each path,
 * interleaved (the starting path rotates every repetition), and reports rows per second (rows
 * written / wall-clock seconds of the write, connection already open, commit included):
 * <ul>
 *   <li>(A) the sink's code path: {@code GreenApplier.applyBatch} with upserts, 5,000 rows per
 *       transaction, on the sink's HikariCP pool ({@code Endpoints.pool}, {@code reWriteBatchedInserts=true});</li>
 *   <li>(B) the same on a plain JDBC connection with {@code reWriteBatchedInserts=false} (one
 *       {@code INSERT ... ON CONFLICT} per row in a JDBC batch);</li>
 *   <li>(C) COPY (text or binary) into a temporary staging table, then {@code INSERT ... SELECT ...
 *       ON CONFLICT DO UPDATE}, per 5,000-row and per 50,000-row transaction, on the sink's pool;</li>
 *   <li>(D) the anchor and ceiling: one raw {@code COPY bank.account FROM STDIN} into the empty table.</li>
 * </ul>
 * Before timing, every path must turn a table holding stale versions of some rows into exactly the
 * expected rows (the anchor starts from an empty table); after every timed run the table's count,
 * balance sum and an MD5 over every column must match. A mismatch aborts the run with an
 * {@link IllegalStateException}.
 *
 * <p>Prints a markdown table (median and min-max rows/s, ratio of medians to (D)) with the machine's
 * cores, memory and load average (to spot runs that shared the machine) and writes the same as JSON to {@code bench/target/results/snapshot-apply-<timestamp>.json}.
 * Arguments: {@code --rows N} (default 500,000), {@code --reps N} (default 5).
 */
public final class SnapshotApplyBench {

    private static final String DATABASE = "bench";
    private static final int CHECK_ROWS = 12_000;
    private static final String ANCHOR = "D";

    private SnapshotApplyBench() {
    }

    public static void main(String[] args) throws Exception {
        int rows = intArg(args, "--rows", 500_000);
        int reps = intArg(args, "--reps", 5);
        if (rows < 1 || reps < 1) {
            throw new IllegalArgumentException("--rows and --reps must be at least 1");
        }
        String loadAtStart = loadAverage();
        List<Row> data = AccountRows.generate(rows);
        AccountRows.Checksum expected = AccountRows.expected(data);
        List<Row> check = data.subList(0, Math.min(rows, CHECK_ROWS));
        AccountRows.Checksum checkExpected = AccountRows.expected(check);

        LocalPostgres pg = LocalPostgres.start("bench-green");
        try {
            String url = pg.createDatabase(DATABASE);
            pg.execute(DATABASE, AccountRows.DDL);
            EndpointConfig endpoint = new EndpointConfig(url, LocalPostgres.SUPERUSER, "");
            try (HikariDataSource pool = Endpoints.pool(endpoint, "bench-green", 1, ErrorCode.GREEN_UNAVAILABLE);
                 Connection admin = pg.connect(DATABASE)) {
                List<ApplyPath> paths = paths(pool, url);
                Map<String, Object> server = serverFacts(admin);
                for (ApplyPath p : paths) {
                    conflictCheck(p, admin, check, checkExpected);
                }
                Map<String, List<Double>> seconds = new LinkedHashMap<>();
                paths.forEach(p -> seconds.put(p.id, new ArrayList<>()));
                for (int rep = 0; rep < reps; rep++) {
                    for (int k = 0; k < paths.size(); k++) {
                        ApplyPath p = paths.get((rep + k) % paths.size());
                        double s = timedRun(p, admin, data, expected);
                        seconds.get(p.id).add(s);
                        System.err.printf(Locale.ROOT, "run %d/%d  %-3s %,12.0f rows/s%n", rep + 1, reps, p.id, rows / s);
                    }
                }
                report(paths, seconds, rows, reps, server, loadAtStart);
            }
        } finally {
            pg.close();
        }
    }

    private static List<ApplyPath> paths(HikariDataSource pool, String url) {
        Properties noRewrite = new Properties();
        noRewrite.setProperty("user", LocalPostgres.SUPERUSER);
        noRewrite.setProperty("reWriteBatchedInserts", "false");
        ApplyPath.ConnectionSource plain = () -> DriverManager.getConnection(url, noRewrite);
        return List.of(
                new ApplyPath.SinkUpsert("A", "sink applyBatch upserts, pool reWriteBatchedInserts=true, 5k/tx",
                        pool::getConnection, 5_000),
                new ApplyPath.SinkUpsert("B", "sink applyBatch upserts, reWriteBatchedInserts=false, 5k/tx",
                        plain, 5_000),
                new ApplyPath.StagingCopy("C1", "COPY text -> temp staging -> INSERT..SELECT ON CONFLICT, 5k/tx",
                        pool::getConnection, 5_000, CopyEncoder.Format.TEXT),
                new ApplyPath.StagingCopy("C2", "COPY text -> temp staging -> INSERT..SELECT ON CONFLICT, 50k/tx",
                        pool::getConnection, 50_000, CopyEncoder.Format.TEXT),
                new ApplyPath.StagingCopy("C3", "COPY binary -> temp staging -> INSERT..SELECT ON CONFLICT, 5k/tx",
                        pool::getConnection, 5_000, CopyEncoder.Format.BINARY),
                new ApplyPath.StagingCopy("C4", "COPY binary -> temp staging -> INSERT..SELECT ON CONFLICT, 50k/tx",
                        pool::getConnection, 50_000, CopyEncoder.Format.BINARY),
                new ApplyPath.RawCopy(ANCHOR, "anchor: raw COPY bank.account FROM STDIN (text), empty table, 1 tx",
                        plain));
    }

    /** Untimed: upsert paths must overwrite stale rows; every path must write the tricky values exactly. */
    private static void conflictCheck(ApplyPath p, Connection admin, List<Row> check, AccountRows.Checksum expected)
            throws Exception {
        truncate(admin);
        if (p.upserts()) {
            try (Connection c = p.open()) {
                new ApplyPath.RawCopy("stale", "stale rows", null).write(c, AccountRows.stale(check));
            }
        }
        try (Connection c = p.open()) {
            p.write(c, check);
        }
        verify(p, admin, expected, p.upserts() ? "over stale rows" : "into the empty table");
    }

    /** @return seconds the write took */
    private static double timedRun(ApplyPath p, Connection admin, List<Row> data, AccountRows.Checksum expected)
            throws Exception {
        truncate(admin);
        try (Statement st = admin.createStatement()) {
            st.execute("CHECKPOINT");
        }
        long nanos;
        try (Connection c = p.open()) {
            long t0 = System.nanoTime();
            p.write(c, data);
            nanos = System.nanoTime() - t0;
        }
        verify(p, admin, expected, "timed run");
        return nanos / 1e9;
    }

    private static void truncate(Connection admin) throws SQLException {
        try (Statement st = admin.createStatement()) {
            st.execute("TRUNCATE bank.account");
        }
    }

    private static void verify(ApplyPath p, Connection admin, AccountRows.Checksum expected, String what)
            throws SQLException {
        AccountRows.Checksum actual = AccountRows.read(admin);
        if (!actual.equals(expected)) {
            String msg = "WRONG DATA: path " + p.id + " (" + p.label + ") " + what + " left " + actual
                    + " in bank.account; expected " + expected + ". Its figures are void; aborting the benchmark.";
            System.err.println(msg);
            throw new IllegalStateException(msg);
        }
    }

    private static Map<String, Object> serverFacts(Connection admin) throws SQLException {
        Map<String, Object> facts = new LinkedHashMap<>();
        for (String setting : List.of("server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_level",
                "shared_buffers", "max_wal_size")) {
            try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery("SHOW " + setting)) {
                rs.next();
                facts.put(setting, rs.getString(1));
            }
        }
        return facts;
    }

    private static void report(List<ApplyPath> paths, Map<String, List<Double>> seconds, int rows, int reps,
                               Map<String, Object> server, String loadAtStart) throws Exception {
        String loadAtEnd = loadAverage();
        int cores = Runtime.getRuntime().availableProcessors();
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        double anchor = median(rate(seconds.get(ANCHOR), rows));
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%nsnapshot apply into green bank.account: %,d rows, %d interleaved runs per"
                + " path, each into a freshly TRUNCATEd table%n", rows, reps));
        out.append(String.format(Locale.ROOT, "machine: %d cores, %.1f GiB memory, %s; Java %s, max heap %d MiB%n", cores,
                memory / (double) (1L << 30), cpuModel(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20));
        out.append(String.format("load average (1/5/15 min): %s at start, %s at end (this benchmark adds about 1-2;"
                + " more means other work shared the machine)%n", loadAtStart, loadAtEnd));
        out.append("PostgreSQL ").append(server.get("server_version")).append(" (same machine): ");
        server.forEach((k, v) -> {
            if (!k.equals("server_version")) {
                out.append(k).append('=').append(v).append(' ');
            }
        });
        out.append(String.format("%n%n| path | median rows/s | min-max rows/s | ratio to (D) |%n|---|---|---|---|%n"));
        List<Map<String, Object>> jsonPaths = new ArrayList<>();
        for (ApplyPath p : paths) {
            List<Double> r = rate(seconds.get(p.id), rows);
            double median = median(r);
            out.append(String.format(Locale.ROOT, "| (%s) %s | %,.0f | %,.0f-%,.0f | %.2f |%n", p.id, p.label, median,
                    Collections.min(r), Collections.max(r), median / anchor));
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("id", p.id);
            j.put("path", p.label);
            j.put("medianRowsPerSecond", Math.round(median));
            j.put("minRowsPerSecond", Math.round(Collections.min(r)));
            j.put("maxRowsPerSecond", Math.round(Collections.max(r)));
            j.put("ratioToAnchor", Math.round(median / anchor * 1000) / 1000.0);
            j.put("runSeconds", seconds.get(p.id));
            jsonPaths.add(j);
        }
        System.out.print(out);

        Map<String, Object> json = new LinkedHashMap<>();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        json.put("benchmark", "snapshot-apply");
        json.put("timestamp", stamp);
        json.put("rows", rows);
        json.put("reps", reps);
        json.put("unit", "rows per second (rows / wall-clock seconds of the write, commit included)");
        json.put("anchor", ANCHOR);
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", cores);
        machine.put("memoryBytes", memory);
        machine.put("cpu", cpuModel());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("java", System.getProperty("java.version"));
        machine.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        machine.put("loadAverageAtStart", loadAtStart);
        machine.put("loadAverageAtEnd", loadAtEnd);
        json.put("machine", machine);
        json.put("postgres", server);
        json.put("paths", jsonPaths);
        Path dir = projectRoot().resolve("bench/target/results");
        Files.createDirectories(dir);
        Path file = dir.resolve("snapshot-apply-" + stamp + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
        System.out.println("\nresults: " + file);
    }

    private static List<Double> rate(List<Double> seconds, int rows) {
        return seconds.stream().map(s -> rows / s).toList();
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg, or "unknown". */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown CPU");
        } catch (Exception e) {
            return "unknown CPU";
        }
    }

    /** The folder holding {@code deploy/} and {@code bench/}: the system property, else up from user.dir. */
    private static Path projectRoot() {
        String property = System.getProperty(LocalPostgres.PROJECT_ROOT_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("bench")) && Files.isDirectory(dir.resolve("deploy"))) {
                return dir;
            }
        }
        return Path.of("").toAbsolutePath();
    }

}
