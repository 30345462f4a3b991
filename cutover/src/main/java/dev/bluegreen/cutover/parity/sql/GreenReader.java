package dev.bluegreen.cutover.parity.sql;

import dev.bluegreen.core.dialect.postgres.PostgresDialect;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.transform.TargetShape;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Reads one green target in the shape the transform writes: rows by key list, rows of a key range
 * and key-only chunks for the pass that finds extra rows. Each call is one short read-only
 * transaction. Thread-safe.
 */
public final class GreenReader {

    private final TargetShape shape;
    private final String select;

    public GreenReader(TargetShape shape) {
        this.shape = shape;
        this.select = "SELECT " + KeySql.columns(shape.columns()) + " FROM " + PostgresDialect.INSTANCE.table(shape.table());
    }

    /** The target. */
    public TargetShape shape() {
        return shape;
    }

    /**
     * The rows of the given green keys that exist, by key.
     *
     * @throws SQLException when green fails
     */
    public Map<Row, Row> byKeys(DataSource green, List<Row> keys) throws SQLException {
        if (keys.isEmpty()) {
            return Map.of();
        }
        return Reads.readOnly(green, c -> byKeys(c, keys));
    }

    /**
     * As {@link #byKeys(DataSource, List)}, on a connection the caller manages.
     *
     * @throws SQLException when green fails
     */
    public Map<Row, Row> byKeys(Connection c, List<Row> keys) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(select + " WHERE "
                + KeySql.inList(shape.keyColumns(), shape.columnTypes()))) {
            KeySql.bindKeyArrays(ps, 1, keys, shape.keyColumns());
            return byKey(Reads.rows(ps, shape.columns(), shape.columnTypes()));
        }
    }

    /**
     * Every row with a key in {@code (after, upTo]} (null bounds are open), by key, in key order.
     *
     * @throws SQLException when green fails
     */
    public Map<Row, Row> range(DataSource green, Row after, Row upTo) throws SQLException {
        List<String> key = shape.keyColumns();
        String sql = select + RangeSql.where(key, shape.columnTypes(), after, upTo) + KeySql.orderBy(key);
        return Reads.readOnly(green, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                RangeSql.bind(ps, key, shape.columnTypes(), after, upTo);
                return byKey(Reads.rows(ps, shape.columns(), shape.columnTypes()));
            }
        });
    }

    /**
     * The next chunk of keys only, in green's key order (keyset pagination).
     *
     * @throws SQLException when green fails
     */
    public List<Row> keysAfter(DataSource green, Row after, int limit) throws SQLException {
        List<String> key = shape.keyColumns();
        String sql = "SELECT " + KeySql.columns(key) + " FROM " + PostgresDialect.INSTANCE.table(shape.table())
                + (after == null ? "" : " WHERE " + KeySql.after(key, shape.columnTypes())) + KeySql.orderBy(key)
                + " LIMIT " + limit;
        return Reads.readOnly(green, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (after != null) {
                    KeySql.bindKey(ps, 1, after, key, shape.columnTypes());
                }
                return Reads.rows(ps, key, shape.columnTypes());
            }
        });
    }

    private Map<Row, Row> byKey(List<Row> rows) {
        Map<Row, Row> out = new LinkedHashMap<>();
        rows.forEach(r -> out.put(r.project(shape.keyColumns()), r));
        return out;
    }
}
