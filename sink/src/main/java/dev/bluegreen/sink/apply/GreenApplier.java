package dev.bluegreen.sink.apply;

import dev.bluegreen.core.dialect.SqlDialect;
import dev.bluegreen.core.dialect.postgres.PostgresValueBinder;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.value.Unavailable;
import dev.bluegreen.sink.batch.BatchPlan;
import dev.bluegreen.sink.batch.GreenAction;
import dev.bluegreen.sink.deadletter.DeadLetter;
import dev.bluegreen.transform.TargetShape;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a segment of row actions to green on the caller's connection and transaction: deletes
 * first (a key that was deleted and re-inserted in the batch is reduced to its last action already,
 * so running deletes first only frees unique values for the upserts), then upserts as JDBC batches
 * (the driver's {@code reWriteBatchedInserts} turns them into multi-row inserts), then updates of
 * rows whose unchanged TOAST columns must be left alone.
 *
 * <p>Two modes: {@link #applyBatch} runs everything as batches and throws on the first error;
 * {@link #applyRowByRow} runs each action under a savepoint and returns the ones green rejected as
 * dead letters. Not thread-safe; one per sink thread.
 */
public final class GreenApplier {

    private final SqlDialect dialect;
    private final Map<TableId, TargetShape> shapes;
    /** Each statement once per table and column list: building it per action was ~7% of the sink thread (S3 JFR). */
    private final Map<StatementKey, String> statements = new java.util.HashMap<>();

    private record StatementKey(boolean delete, TableId table, List<String> columns) {
    }

    /** @param shapes every green target table's key, columns and types */
    public GreenApplier(SqlDialect dialect, Map<TableId, TargetShape> shapes) {
        this.dialect = dialect;
        this.shapes = Map.copyOf(shapes);
    }

    /**
     * Applies a segment as batches.
     *
     * @return dead letters for partial-TOAST updates whose row is missing in green
     * @throws SQLException on the first statement green rejects
     */
    public List<DeadLetter> applyBatch(Connection c, List<GreenAction> actions) throws SQLException {
        Map<String, List<GreenAction>> groups = group(actions);
        List<DeadLetter> dead = new ArrayList<>();
        for (Map.Entry<String, List<GreenAction>> g : groups.entrySet()) {
            List<GreenAction> list = g.getValue();
            if (g.getKey().startsWith("U:")) {
                for (GreenAction a : list) {
                    dead.addAll(applyOne(c, a));
                }
                continue;
            }
            try (PreparedStatement ps = c.prepareStatement(sql(list.get(0)))) {
                for (GreenAction a : list) {
                    bind(ps, a);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        return dead;
    }

    /**
     * Applies each action under its own savepoint.
     *
     * @return a dead letter for every action green rejected (constraint or data error)
     * @throws SQLException when green fails in a way that is not about one row
     */
    public List<DeadLetter> applyRowByRow(Connection c, List<GreenAction> actions) throws SQLException {
        List<DeadLetter> dead = new ArrayList<>();
        for (GreenAction a : ordered(actions)) {
            Savepoint sp = c.setSavepoint();
            try {
                dead.addAll(applyOne(c, a));
                c.releaseSavepoint(sp);
            } catch (SQLException e) {
                if (!SqlStates.isRowError(e)) {
                    throw e;
                }
                c.rollback(sp);
                dead.add(a.source().deadLetter("green rejected the row for " + a.table() + ": " + e.getMessage()
                        + " (SQLState " + e.getSQLState() + ")"));
            }
        }
        return dead;
    }

    /** Truncates green tables. */
    public void truncate(Connection c, List<TableId> tables) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (TableId t : tables) {
                st.execute(dialect.truncate(t));
            }
        }
    }

    private List<DeadLetter> applyOne(Connection c, GreenAction a) throws SQLException {
        if (a instanceof GreenAction.Upsert u && u.hasUnavailable()) {
            return updateAvailable(c, u);
        }
        try (PreparedStatement ps = c.prepareStatement(sql(a))) {
            bind(ps, a);
            ps.executeUpdate();
        }
        return List.of();
    }

    private List<DeadLetter> updateAvailable(Connection c, GreenAction.Upsert u) throws SQLException {
        TargetShape shape = shape(u.table());
        List<String> set = new ArrayList<>();
        for (String col : u.row().columns()) {
            if (!shape.keyColumns().contains(col) && u.row().get(col) != Unavailable.VALUE) {
                set.add(col);
            }
        }
        if (set.isEmpty()) {
            return List.of();
        }
        try (PreparedStatement ps = c.prepareStatement(
                dialect.update(u.table(), shape.keyColumns(), set, shape.columnTypes()))) {
            int i = 1;
            for (String col : set) {
                PostgresValueBinder.bind(ps, i++, u.row().get(col), shape.columnTypes().get(col));
            }
            for (String k : shape.keyColumns()) {
                PostgresValueBinder.bind(ps, i++, u.row().get(k), shape.columnTypes().get(k));
            }
            if (ps.executeUpdate() == 0) {
                return List.of(u.source().deadLetter("update of " + u.table() + " key "
                        + u.row().project(shape.keyColumns()) + " left an unchanged TOAST value unknown and the row"
                        + " is missing in green; set REPLICA IDENTITY FULL on the blue table, or re-snapshot it"));
            }
        }
        return List.of();
    }

    private String sql(GreenAction a) {
        boolean delete = a instanceof GreenAction.Delete;
        List<String> columns = delete ? List.of() : ((GreenAction.Upsert) a).row().columns();
        return statements.computeIfAbsent(new StatementKey(delete, a.table(), columns), k -> {
            TargetShape shape = shape(k.table());
            return k.delete() ? dialect.delete(k.table(), shape.keyColumns(), shape.columnTypes())
                    : dialect.upsert(k.table(), shape.keyColumns(), k.columns(), shape.columnTypes());
        });
    }

    private void bind(PreparedStatement ps, GreenAction a) throws SQLException {
        TargetShape shape = shape(a.table());
        Row row = a instanceof GreenAction.Delete d ? d.key().project(shape.keyColumns()) : ((GreenAction.Upsert) a).row();
        int i = 1;
        for (String col : row.columns()) {
            PostgresValueBinder.bind(ps, i++, row.get(col), shape.columnTypes().get(col));
        }
    }

    /** Groups actions by statement, deletes first; partial-TOAST updates last, one by one. */
    private Map<String, List<GreenAction>> group(List<GreenAction> actions) {
        Map<String, List<GreenAction>> groups = new LinkedHashMap<>();
        for (GreenAction a : ordered(actions)) {
            String key;
            if (a instanceof GreenAction.Upsert u && u.hasUnavailable()) {
                key = "U:" + a.table();
            } else {
                key = sql(a); // deletes and upserts never share a statement text
            }
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(a);
        }
        return groups;
    }

    private static List<GreenAction> ordered(List<GreenAction> actions) {
        List<GreenAction> out = new ArrayList<>(actions.size());
        actions.stream().filter(a -> a instanceof GreenAction.Delete).forEach(out::add);
        actions.stream().filter(a -> a instanceof GreenAction.Upsert u && !u.hasUnavailable()).forEach(out::add);
        actions.stream().filter(a -> a instanceof GreenAction.Upsert u && u.hasUnavailable()).forEach(out::add);
        return out;
    }

    private TargetShape shape(TableId table) {
        TargetShape s = shapes.get(table);
        if (s == null) {
            throw new IllegalStateException("no target shape for green table " + table);
        }
        return s;
    }
}
