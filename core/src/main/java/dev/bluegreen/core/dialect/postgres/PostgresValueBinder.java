package dev.bluegreen.core.dialect.postgres;

import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.value.Bytes;
import dev.bluegreen.core.value.CanonicalValues;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Binds canonical values to statement parameters. Statements built by {@link PostgresDialect}
 * wrap every parameter in {@code CAST(? AS type)}, so text parameters reach enum, json and tsvector
 * columns through PostgreSQL's explicit I/O conversion. Stateless and thread-safe.
 */
public final class PostgresValueBinder {

    private PostgresValueBinder() {
    }

    /**
     * Binds one value.
     *
     * @param index 1-based parameter index
     * @throws SQLException when the driver rejects the value
     * @throws IllegalArgumentException for a value that is not canonical (a bug upstream)
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
            ps.setFloat(index, f);
        } else if (value instanceof Instant i) {
            ps.setObject(index, offsetDateTime(i));
        } else if (value instanceof Bytes b) {
            ps.setBytes(index, b.toArray());
        } else if (value instanceof List<?> list) {
            ps.setArray(index, array(ps.getConnection(), list, type));
        } else if (value instanceof java.time.temporal.Temporal || value instanceof java.util.UUID) {
            ps.setObject(index, value);
        } else {
            throw new IllegalArgumentException("not a canonical value: " + value.getClass().getName());
        }
    }

    private static java.sql.Array array(Connection c, List<?> list, ColumnType type) throws SQLException {
        if (type.element() == null) {
            throw new IllegalArgumentException("array value for non-array column type " + type.sqlName());
        }
        Object[] elements = new Object[list.size()];
        for (int i = 0; i < elements.length; i++) {
            Object e = list.get(i);
            if (e instanceof Instant in) {
                e = offsetDateTime(in);
            } else if (e instanceof Bytes b) {
                e = b.toArray();
            }
            elements[i] = e;
        }
        return c.createArrayOf(type.element().sqlName(), elements);
    }

    /**
     * The instant at UTC, for PgJDBC. {@code timestamptz}'s canonical infinities
     * ({@link CanonicalValues#TIMESTAMPTZ_INFINITY}, {@link CanonicalValues#TIMESTAMPTZ_MINUS_INFINITY})
     * no UTC date-time can hold: they bind as {@code OffsetDateTime.MAX/MIN}, which PgJDBC sends as
     * {@code infinity} / {@code -infinity}.
     */
    private static OffsetDateTime offsetDateTime(Instant i) {
        if (i.equals(CanonicalValues.TIMESTAMPTZ_INFINITY)) {
            return OffsetDateTime.MAX;
        }
        if (i.equals(CanonicalValues.TIMESTAMPTZ_MINUS_INFINITY)) {
            return OffsetDateTime.MIN;
        }
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }
}
