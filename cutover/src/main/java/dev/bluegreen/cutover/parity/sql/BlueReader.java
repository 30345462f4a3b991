package dev.bluegreen.cutover.parity.sql;

import dev.bluegreen.core.dialect.Catalog;
import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.dialect.mariadb.MariaDbDialect;
import dev.bluegreen.core.dialect.mariadb.MariaDbValueReader;
import dev.bluegreen.core.dialect.postgres.PostgresDialect;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TableSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import javax.sql.DataSource;

/**
 * Reads one blue table: key-ordered chunks by keyset pagination ({@code WHERE (k) > (last) ORDER BY k
 * LIMIT n}, never {@code OFFSET}), key ranges, and rows by key. Each call is one short read-only
 * transaction (a locked read is the one exception, see {@link #lockedByKeys}). Blue is PostgreSQL or MariaDB
 * (key ranges, for the pushdown path, PostgreSQL only). Thread-safe.
 */
public final class BlueReader {

    private final TableSchema table;
    private final Engine engine;
    private final boolean mariaDb;
    private final List<String> key;
    private final List<String> columns;
    private final Map<String, ColumnType> types = new HashMap<>();
    private final String select;

    /**
     * A reader of a PostgreSQL blue.
     *
     * @param key the blue key columns, in key order
     */
    public BlueReader(TableSchema table, List<String> key) {
        this(table, key, Engine.POSTGRESQL);
    }

    /**
     * @param key the blue key columns, in key order
     * @param engine blue's engine; a MariaDB blue's sessions must run with {@code time_zone = '+00:00'} (the
     *     pools of {@link dev.bluegreen.core.endpoint.Endpoints} do)
     */
    public BlueReader(TableSchema table, List<String> key, Engine engine) {
        this.table = table;
        this.engine = engine;
        this.mariaDb = engine == Engine.MARIADB;
        this.key = List.copyOf(key);
        this.columns = table.columnNames();
        table.columns().forEach(c -> types.put(c.name(), c.type()));
        if (mariaDb) {
            StringJoiner cols = new StringJoiner(", ");
            table.columns().forEach(c -> cols.add(MariaDbValueReader.selectExpression(c.name(), c.type())));
            this.select = "SELECT " + cols + " FROM " + MariaDbDialect.INSTANCE.table(table.id());
        } else {
            this.select = "SELECT " + KeySql.columns(columns) + " FROM " + PostgresDialect.INSTANCE.table(table.id());
        }
    }

    /** Blue's engine. */
    public Engine engine() {
        return engine;
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
        String sql = mariaDb
                ? select + (after == null ? "" : " WHERE " + MariaDbKeySql.after(key)) + MariaDbKeySql.orderBy(key)
                        + " LIMIT " + limit
                : select + (after == null ? "" : " WHERE " + KeySql.after(key, types)) + KeySql.orderBy(key)
                        + " LIMIT " + limit;
        return Reads.readOnly(blue, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (after != null) {
                    bindKey(ps, 1, after);
                }
                List<Row> rows = Reads.rows(ps, columns, types, engine);
                return new BlueRead(rows, Reads.clockMs(c, engine));
            }
        });
    }

    /**
     * Every row with a key in {@code (after, upTo]}; a null bound is open.
     *
     * @throws SQLException when blue fails
     */
    public BlueRead range(DataSource blue, Row after, Row upTo) throws SQLException {
        if (mariaDb) {
            throw new UnsupportedOperationException("key ranges are read on a PostgreSQL blue only (the pushdown"
                    + " path, which a MariaDB blue does not take)");
        }
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
            List<Row> rows = byKeys(c, keys, "", "");
            return new BlueRead(rows, Reads.clockMs(c, engine));
        });
    }

    /**
     * Reads the rows of the given keys {@code FOR SHARE} (MariaDB: {@code LOCK IN SHARE MODE}) on a connection whose
     * transaction the caller holds open: until it ends, those rows cannot change. The caller bounds the
     * transaction. The wait for each row lock is bounded by {@code lockWaitMs}, for this read only: PostgreSQL's
     * {@code SET LOCAL lock_timeout} (ends with the transaction), MariaDB's {@code SET STATEMENT
     * innodb_lock_wait_timeout = N, lock_wait_timeout = N FOR} (row and metadata locks; whole seconds, rounded up, at
     * least 1), so a pooled connection keeps its own settings.
     *
     * @param lockWaitMs longest wait for a row lock, ms
     * @throws SQLException when blue fails (e.g. the lock wait timeout passes)
     */
    public List<Row> lockedByKeys(Connection c, List<Row> keys, long lockWaitMs) throws SQLException {
        if (mariaDb) {
            long seconds = Math.max(1, (lockWaitMs + 999) / 1000);
            return byKeys(c, keys, "SET STATEMENT innodb_lock_wait_timeout = " + seconds + ", lock_wait_timeout = "
                    + seconds + " FOR ", MariaDbKeySql.orderBy(key) + " LOCK IN SHARE MODE");
        }
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL lock_timeout = '" + Math.max(1, lockWaitMs) + "ms'");
        }
        return byKeys(c, keys, "", " ORDER BY " + KeySql.columns(key) + " FOR SHARE");
    }

    private List<Row> byKeys(Connection c, List<Row> keys, String head, String tail) throws SQLException {
        if (keys.isEmpty()) {
            return List.of();
        }
        if (mariaDb) {
            try (PreparedStatement ps = c.prepareStatement(head + select + " WHERE "
                    + MariaDbKeySql.inList(key, keys.size()) + tail)) {
                MariaDbKeySql.bindKeys(ps, 1, keys, key, types);
                return Reads.rows(ps, columns, types, engine);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(head + select + " WHERE " + KeySql.inList(key, types) + tail)) {
            KeySql.bindKeyArrays(ps, 1, keys, key);
            return Reads.rows(ps, columns, types);
        }
    }

    private void bindKey(PreparedStatement ps, int index, Row k) throws SQLException {
        if (mariaDb) {
            MariaDbKeySql.bindKey(ps, index, k, key, types);
        } else {
            KeySql.bindKey(ps, index, k, key, types);
        }
    }

    /**
     * Blue's row estimate from its statistics (partitions included), or -1.
     *
     * @throws SQLException when blue fails
     */
    public long estimateRows(DataSource blue) throws SQLException {
        return Reads.readOnly(blue, c -> Catalog.of(engine, c).estimateRows(table.id()));
    }

    /** The table's columns. */
    public List<ColumnSchema> columnSchemas() {
        return table.columns();
    }
}
