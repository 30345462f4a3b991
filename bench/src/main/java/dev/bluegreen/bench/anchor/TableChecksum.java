package dev.bluegreen.bench.anchor;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A table's row count and content checksum, equal on two tables exactly when (up to MD5 collisions)
 * they hold the same rows: the sum over every row of the first 60 bits of {@code md5(row::text)}, the
 * row's text form being every column in column order. The sum does not depend on the order of the
 * rows, so it needs no sort and no string of the whole table ({@code string_agg} over 10M rows would
 * pass PostgreSQL's 1 GiB limit); one sequential scan.
 *
 * <p>Both tables must have the same columns in the same order and the same types (text forms of
 * {@code char(n)}, timestamps and numerics differ otherwise).
 *
 * @param rows row count
 * @param md5Sum the sum of the rows' 60-bit MD5 prefixes; 0 for an empty table
 */
public record TableChecksum(long rows, BigDecimal md5Sum) {

    public TableChecksum {
        requireNonNull(md5Sum, "md5Sum is null");
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
    }

    /**
     * Reads the checksum of a table in one statement.
     *
     * @param table {@code schema.table}, unquoted lower-case identifiers (not validated here)
     * @throws SQLException if the query fails
     */
    public static TableChecksum of(Connection connection, String table) throws SQLException {
        requireNonNull(table, "table is null");
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint::numeric), 0)"
                        + " FROM " + table + " t")) {
            rs.next();
            return new TableChecksum(rs.getLong(1), rs.getBigDecimal(2));
        }
    }
}
