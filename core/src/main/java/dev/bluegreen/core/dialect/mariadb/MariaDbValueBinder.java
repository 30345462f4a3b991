package dev.bluegreen.core.dialect.mariadb;

import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.value.Bytes;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.Temporal;

/**
 * Binds canonical values to MariaDB statement parameters (plain {@code ?}, see {@link MariaDbDialect}).
 * An {@link Instant} (a {@code timestamp} column) is bound as its UTC wall-clock time, so the session must
 * run with {@code time_zone = '+00:00'}, as {@link MariaDbValueReader} requires too. Stateless and
 * thread-safe.
 */
public final class MariaDbValueBinder {

    private MariaDbValueBinder() {
    }

    /**
     * Binds one value.
     *
     * @param index 1-based parameter index
     * @throws SQLException when the driver rejects the value
     * @throws IllegalArgumentException for a value that is not canonical, or a kind MariaDB columns do not have
     *     (arrays, uuids)
     */
    public static void bind(PreparedStatement ps, int index, Object value, ColumnType type) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.NULL);
        } else if (value instanceof Long l) {
            ps.setLong(index, l);
        } else if (value instanceof String s) {
            ps.setString(index, s);
        } else if (value instanceof BigDecimal d) {
            ps.setBigDecimal(index, d);
        } else if (value instanceof Boolean b) {
            ps.setBoolean(index, b);
        } else if (value instanceof Double d) {
            ps.setDouble(index, d);
        } else if (value instanceof Float f) {
            ps.setDouble(index, f); // exact: a float is a double; compared against the column's float
        } else if (value instanceof Instant i) {
            ps.setObject(index, LocalDateTime.ofInstant(i, ZoneOffset.UTC));
        } else if (value instanceof Bytes b) {
            ps.setBytes(index, b.toArray());
        } else if (value instanceof Temporal) {
            ps.setObject(index, value);
        } else {
            throw new IllegalArgumentException("no MariaDB parameter form for " + value.getClass().getName()
                    + " (column type " + type.sqlName() + ")");
        }
    }
}
