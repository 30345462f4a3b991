package dev.bluegreen.core.dialect.mariadb;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.core.value.Bytes;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one column of a MariaDB result set (MariaDB Connector/J) as its canonical value (see {@link
 * dev.bluegreen.core.value.CanonicalValues}), by the kind {@link MariaDbCatalog} gave it; the select list
 * must read each column through {@link #selectExpression}.
 *
 * <p>{@code timestamp} columns are read as the server's text in the session's time zone and taken as UTC:
 * the session must run with {@code time_zone = '+00:00'} (bluegreen's blue sessions set it), so that the
 * value is the instant MariaDB stored, whatever the server's default zone. Stateless and thread-safe.
 */
public final class MariaDbValueReader {

    /** The session setting {@link #read} relies on for {@code timestamp} columns. */
    public static final String SESSION_TIME_ZONE = "SET time_zone = '+00:00'";

    private MariaDbValueReader() {
    }

    /**
     * The select-list item that reads a column for {@link #read}: the column itself, named as the column,
     * except {@code float}, read as {@code CAST(c AS DOUBLE)}: MariaDB's text protocol prints a float with
     * six significant digits (5.6666665 arrives as 5.66667), a double with every digit it needs.
     */
    public static String selectExpression(String column, ColumnType type) {
        String q = MariaDbDialect.INSTANCE.quote(column);
        return type.kind() == TypeKind.FLOAT32 ? "CAST(" + q + " AS DOUBLE) AS " + q : q;
    }

    /**
     * Reads the current row's columns, by name, into a row with {@code columns}' names in their order.
     *
     * @throws RowConversionException when a value has no canonical form
     * @throws SQLException when the driver fails or a column is missing from the result
     */
    public static Row readRow(ResultSet rs, List<ColumnSchema> columns) throws SQLException {
        List<String> names = new ArrayList<>(columns.size());
        List<Object> values = new ArrayList<>(columns.size());
        for (ColumnSchema c : columns) {
            names.add(c.name());
            values.add(read(rs, rs.findColumn(c.name()), c.type()));
        }
        return Row.of(names, values);
    }

    /**
     * Reads column {@code index} (1-based).
     *
     * @return the canonical value, or null for SQL NULL
     * @throws RowConversionException when the value has no canonical form (a zero date, a {@code time}
     *     outside 00:00-23:59:59.999999, a kind bluegreen does not support)
     * @throws SQLException when the driver fails
     */
    public static Object read(ResultSet rs, int index, ColumnType type) throws SQLException {
        switch (type.kind()) {
            case INT16: case INT32: case INT64: {
                long v = rs.getLong(index);
                return rs.wasNull() ? null : v;
            }
            case NUMERIC: {
                String text = rs.getString(index);
                return text == null ? null : new BigDecimal(text);
            }
            case FLOAT32: {
                // selected as a double (see selectExpression): every float is exactly a double
                double v = rs.getDouble(index);
                return rs.wasNull() ? null : (float) v;
            }
            case FLOAT64: {
                double v = rs.getDouble(index);
                return rs.wasNull() ? null : v;
            }
            case BOOLEAN: {
                boolean v = rs.getBoolean(index);
                return rs.wasNull() ? null : v;
            }
            case TEXT: case ENUM: case JSON:
                return rs.getString(index);
            case DATE:
                return temporal(rs, index, type, LocalDate.class);
            case TIME:
                return temporal(rs, index, type, LocalTime.class);
            case TIMESTAMP:
                return temporal(rs, index, type, LocalDateTime.class);
            case TIMESTAMPTZ: {
                LocalDateTime t = temporal(rs, index, type, LocalDateTime.class);
                return t == null ? null : t.toInstant(ZoneOffset.UTC);
            }
            case BYTES: {
                byte[] b = rs.getBytes(index);
                return b == null ? null : Bytes.of(b);
            }
            default:
                throw new RowConversionException("column type " + type.sqlName() + " has no canonical form in bluegreen");
        }
    }

    private static <T> T temporal(ResultSet rs, int index, ColumnType type, Class<T> as) throws SQLException {
        try {
            return rs.getObject(index, as);
        } catch (SQLException e) {
            String text = rs.getString(index);
            if (text == null) {
                throw e;
            }
            throw new RowConversionException("value '" + text + "' of a " + type.sqlName() + " column has no "
                    + as.getSimpleName() + " form (zero dates and times outside one day cannot be replicated): "
                    + e.getMessage(), e);
        }
    }
}
