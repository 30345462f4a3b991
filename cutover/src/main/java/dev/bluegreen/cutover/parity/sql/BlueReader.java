package dev.bluegreen.cutover.parity.sql;

import dev.bluegreen.core.dialect.postgres.PostgresCatalog;
import dev.bluegreen.core.dialect.postgres.PostgresDialect;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TableSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Reads one blue table: key-ordered chunks by keyset pagination ({@code WHERE (k) > (last) ORDER BY k
 * LIMIT n}, never {@code OFFSET}), key ranges, and rows by key. Each call is one short read-only
 * transaction (a locked read is the one exception, see {@link #lockedByKeys}). Thread-safe.
 */
public final class BlueReader {

    private final TableSchema table;
    private final List<String> key;
    private final List<String> columns;
    private final Map<String, ColumnType> types = new HashMap<>();
    private final String select;

    /**
     * @param key the blue key columns, in key order
     */
    public BlueReader(TableSchema table, List<String> key) {
        this.table = table;
        this.key = List.copyOf(key);
        this.columns = table.columnNames();
        table.columns().forEach(c -> types.put(c.name(), c.type()));
        this.select = "SELECT " + KeySql.columns(columns) + " FROM " + PostgresDialect.INSTANCE.table(table.id());
    }

    /** Blue column types by name. */
    public Map<String, ColumnType> types() {
        return Map.copyOf(types);
    }

    /**
     * The next chunk: at most {@code limit} rows with a key above {@code after} (all keys when null).
     *
     * @throws SQLException when blue fails
     */
    public BlueRead chunk(DataSource blue, Row after, int limit) throws SQLException {
        String sql = select + (after == null ? "" : " WHERE " + KeySql.after(key, types)) + KeySql.orderBy(key)
                + " LIMIT " + limit;
        return Reads.readOnly(blue, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (after != null) {
                    KeySql.bindKey(ps, 1, after, key, types);
                }
                List<Row> rows = Reads.rows(ps, columns, types);
                return new BlueRead(rows, Reads.clockMs(c));
            }
        });
    }

    /**
     * Every row with a key in {@code (after, upTo]}; a null bound is open.
     *
     * @throws SQLException when blue fails
     */
    public BlueRead range(DataSource blue, Row after, Row upTo) throws SQLException {
        String where = RangeSql.where(key, types, after, upTo);
        return Reads.readOnly(blue, c -> {
            try (PreparedStatement ps = c.prepareStatement(select + where + KeySql.orderBy(key))) {
                RangeSql.bind(ps, key, types, after, upTo);
                List<Row> rows = Reads.rows(ps, columns, types);
                return new BlueRead(rows, Reads.clockMs(c));
            }
        });
    }

    /**
     * The rows of the given keys that exist (in no particular order).
     *
     * @throws SQLException when blue fails
     */
    public BlueRead byKeys(DataSource blue, List<Row> keys) throws SQLException {
        return Reads.readOnly(blue, c -> {
            List<Row> rows = byKeys(c, keys, "");
            return new BlueRead(rows, Reads.clockMs(c));
        });
    }

    /**
     * Reads the rows of the given keys {@code FOR SHARE} on a connection whose transaction the caller
     * holds open: until it ends, those rows cannot change. The caller bounds the transaction.
     *
     * @throws SQLException when blue fails (e.g. the lock timeout passes)
     */
    public List<Row> lockedByKeys(Connection c, List<Row> keys) throws SQLException {
        return byKeys(c, keys, " ORDER BY " + KeySql.columns(key) + " FOR SHARE");
    }

    private List<Row> byKeys(Connection c, List<Row> keys, String tail) throws SQLException {
        if (keys.isEmpty()) {
            return List.of();
        }
        try (PreparedStatement ps = c.prepareStatement(select + " WHERE " + KeySql.inList(key, types) + tail)) {
            KeySql.bindKeyArrays(ps, 1, keys, key);
            return Reads.rows(ps, columns, types);
        }
    }

    /**
     * Blue's row estimate from its statistics (partitions included), or -1.
     *
     * @throws SQLException when blue fails
     */
    public long estimateRows(DataSource blue) throws SQLException {
        return Reads.readOnly(blue, c -> new PostgresCatalog(c).estimateRows(table.id()));
    }

    /** The table's columns. */
    public List<ColumnSchema> columnSchemas() {
        return table.columns();
    }
}
