package dev.bluegreen.cutover.parity.sql;

import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.dialect.mariadb.MariaDbValueReader;
import dev.bluegreen.core.dialect.postgres.PostgresValueReader;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.schema.ColumnType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Short transactions for reads, and reading rows into canonical values. Every read runs in its own
 * read-only transaction that ends (rolls back) before the method returns, so a verify never holds
 * a transaction on blue between chunks. Stateless, thread-safe.
 */
public final class Reads {

    /** The server's clock as an SQL expression: epoch milliseconds, evaluated where it stands in a statement. */
    public static final String CLOCK_MS = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";
    /** Blue's (or green's) clock, read after the statement of a transaction: epoch milliseconds. */
    static final String CLOCK_SQL = "SELECT " + CLOCK_MS;

    private Reads() {
    }

    /** Work inside one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        /** Runs the work. */
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in a read-only transaction and rolls it back.
     *
     * @throws SQLException when the server fails
     */
    public static <T> T readOnly(DataSource ds, Work<T> work) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try {
                return work.run(c);
            } finally {
                c.rollback();
                c.setReadOnly(false);
                c.setAutoCommit(true);
            }
        }
    }

    /** MariaDB's clock as an SQL expression: epoch milliseconds, evaluated where it stands (SYSDATE, not NOW). */
    public static final String MARIADB_CLOCK_MS = "CAST(UNIX_TIMESTAMP(SYSDATE(6)) * 1000 AS SIGNED)";

    /** The server's clock now (epoch ms); PostgreSQL's. */
    public static long clockMs(Connection c) throws SQLException {
        return clockMs(c, Engine.POSTGRESQL);
    }

    /** The server's clock now (epoch ms), on either engine. */
    public static long clockMs(Connection c, Engine engine) throws SQLException {
        String sql = engine == Engine.MARIADB ? "SELECT " + MARIADB_CLOCK_MS : CLOCK_SQL;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Reads every row of an executed statement: columns 1..n in the given order and types.
     *
     * @throws SQLException when the server fails
     */
    public static List<Row> rows(PreparedStatement ps, List<String> columns, Map<String, ColumnType> types)
            throws SQLException {
        return rows(ps, columns, types, Engine.POSTGRESQL);
    }

    /**
     * As {@link #rows(PreparedStatement, List, Map)}, with the engine's value reader (a MariaDB select list reads
     * each column through {@link MariaDbValueReader#selectExpression}).
     *
     * @throws SQLException when the server fails
     */
    public static List<Row> rows(PreparedStatement ps, List<String> columns, Map<String, ColumnType> types,
                                 Engine engine) throws SQLException {
        boolean mariaDb = engine == Engine.MARIADB;
        List<Row> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                List<Object> values = new ArrayList<>(columns.size());
                for (int i = 0; i < columns.size(); i++) {
                    ColumnType t = types.get(columns.get(i));
                    values.add(mariaDb ? MariaDbValueReader.read(rs, i + 1, t) : PostgresValueReader.read(rs, i + 1, t));
                }
                out.add(Row.of(columns, values));
            }
        }
        return out;
    }
}
