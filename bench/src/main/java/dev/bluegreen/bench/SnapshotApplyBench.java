package dev.bluegreen.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.bluegreen.core.config.EndpointConfig;
import dev.bluegreen.core.dialect.postgres.PostgresDialect;
import dev.bluegreen.core.endpoint.Endpoints;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.sink.apply.GreenApplier;
import dev.bluegreen.sink.batch.EventSource;
import dev.bluegreen.sink.batch.GreenAction;
import dev.bluegreen.testkit.LocalPostgres;
import dev.bluegreen.transform.TargetShape;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * How fast can the sink write snapshot rows into green? Measures, on one throwaway PostgreSQL,
 * interleaved and repeated, rows/s of:
 * <ol>
 *   <li>the sink's path: {@link GreenApplier#applyBatch} with 5,000-row transactions on a pool
 *       with {@code reWriteBatchedInserts=true} (multi-row {@code INSERT ... ON CONFLICT});</li>
 *   <li>the same statements without the driver's rewrite (one upsert per row in a JDBC batch);</li>
 *   <li>the anchor: a raw {@code COPY ... FROM STDIN} of the same rows into the empty table.</li>
 * </ol>
 * Prints median and min-max rows/s and the ratio to the anchor. Arguments: {@code --rows N}
 * (default 200,000), {@code --reps N} (default 5).
 */
public final class SnapshotApplyBench {

    private static final TableId TABLE = new TableId("bank", "account");
    private static final int BATCH_ROWS = 5_000;

    private SnapshotApplyBench() {
    }

    public static void main(String[] args) throws Exception {
        int rows = intArg(args, "--rows", 200_000);
        int reps = intArg(args, "--reps", 5);
        List<Row> data = rows(rows);
        try (LocalPostgres pg = LocalPostgres.start("bench-green")) {
            String url = pg.createDatabase("bench");
            pg.execute("bench", "CREATE SCHEMA bank");
            pg.execute("bench", "CREATE TABLE bank.account (account_id bigint PRIMARY KEY, branch_id integer NOT NULL,"
                    + " balance_cents bigint NOT NULL, note text)");
            EndpointConfig endpoint = new EndpointConfig(url, "postgres", "");
            Map<String, List<Double>> results = new java.util.LinkedHashMap<>();
            try (HikariDataSource rewrite = Endpoints.pool(endpoint, "bench", 1, ErrorCode.GREEN_UNAVAILABLE)) {
                for (int r = 0; r < reps; r++) {
                    record(results, "sink upsert, multi-row (reWriteBatchedInserts)", run(pg, data, () -> {
                        try (Connection c = rewrite.getConnection()) {
                            applyAll(c, data);
                        }
                    }));
                    record(results, "sink upsert, one row per statement", run(pg, data, () -> {
                        try (Connection c = DriverManager.getConnection(url + "?reWriteBatchedInserts=false", "postgres", "")) {
                            applyAll(c, data);
                        }
                    }));
                    record(results, "anchor: raw COPY FROM STDIN", run(pg, data, () -> {
                        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
                            copy(c, data);
                        }
                    }));
                }
            }
            print(results, rows, reps);
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    private static double run(LocalPostgres pg, List<Row> data, Body body) throws Exception {
        pg.execute("bench", "TRUNCATE bank.account");
        pg.execute("bench", "CHECKPOINT");
        long t = System.nanoTime();
        body.run();
        double seconds = (System.nanoTime() - t) / 1e9;
        verify(pg, data);
        return data.size() / seconds;
    }

    private static void applyAll(Connection c, List<Row> data) throws Exception {
        Map<String, ColumnType> types = Map.of("account_id", ColumnType.of(TypeKind.INT64, "bigint"),
                "branch_id", ColumnType.of(TypeKind.INT32, "integer"),
                "balance_cents", ColumnType.of(TypeKind.INT64, "bigint"), "note", ColumnType.of(TypeKind.TEXT, "text"));
        TargetShape shape = new TargetShape(TABLE, List.of("account_id"),
                List.of("account_id", "branch_id", "balance_cents", "note"), types);
        GreenApplier applier = new GreenApplier(PostgresDialect.INSTANCE, Map.of(TABLE, shape));
        EventSource source = new EventSource("public.pgbench_accounts", "bench", 0, 0, null, null);
        c.setAutoCommit(false);
        for (int i = 0; i < data.size(); i += BATCH_ROWS) {
            List<GreenAction> actions = new ArrayList<>(BATCH_ROWS);
            for (Row row : data.subList(i, Math.min(i + BATCH_ROWS, data.size()))) {
                actions.add(new GreenAction.Upsert(TABLE, row, source));
            }
            applier.applyBatch(c, actions);
            c.commit();
        }
    }

    private static void copy(Connection c, List<Row> data) throws Exception {
        StringBuilder sb = new StringBuilder(data.size() * 48);
        for (Row r : data) {
            sb.append(r.get("account_id")).append('\t').append(r.get("branch_id")).append('\t')
                    .append(r.get("balance_cents")).append('\t').append(r.get("note")).append('\n');
        }
        c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY bank.account FROM STDIN", new StringReader(sb.toString()));
    }

    private static void verify(LocalPostgres pg, List<Row> data) throws Exception {
        long expectedSum = data.stream().mapToLong(r -> (Long) r.get("balance_cents")).sum();
        try (Connection c = pg.connect("bench"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), sum(balance_cents) FROM bank.account")) {
            rs.next();
            if (rs.getLong(1) != data.size() || rs.getLong(2) != expectedSum) {
                throw new IllegalStateException("a path wrote wrong data: " + rs.getLong(1) + " rows, sum "
                        + rs.getLong(2) + "; expected " + data.size() + " rows, sum " + expectedSum);
            }
        }
    }

    private static List<Row> rows(int n) {
        List<Row> out = new ArrayList<>(n);
        for (long i = 1; i <= n; i++) {
            out.add(Row.ofPairs("account_id", i, "branch_id", i % 10 + 1, "balance_cents", (i * 7919) % 100_000,
                    "note", "account " + i));
        }
        return out;
    }

    private static void record(Map<String, List<Double>> results, String path, double rowsPerSecond) {
        results.computeIfAbsent(path, k -> new ArrayList<>()).add(rowsPerSecond);
    }

    private static void print(Map<String, List<Double>> results, int rows, int reps) {
        double anchor = median(results.get("anchor: raw COPY FROM STDIN"));
        System.out.printf("%nsnapshot apply paths, %d rows x %d runs, %d cores, %d MiB max heap%n", rows, reps,
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        System.out.println("| path | median rows/s | min-max rows/s | ratio to COPY |");
        System.out.println("|---|---|---|---|");
        results.forEach((path, v) -> System.out.printf("| %s | %.0f | %.0f-%.0f | %.2f |%n", path, median(v),
                Collections.min(v), Collections.max(v), median(v) / anchor));
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static int intArg(String[] args, String name, int def) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return def;
    }
}
