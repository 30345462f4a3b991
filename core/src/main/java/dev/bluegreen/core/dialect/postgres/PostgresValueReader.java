package dev.bluegreen.core.dialect.postgres;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.value.Bytes;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.postgresql.util.PGobject;

/**
 * Reads canonical values from a PostgreSQL JDBC result set. For every supported type the value
 * equals what {@link dev.bluegreen.core.event.envelope.DebeziumEnvelopeDecoder} yields for the same
 * database value (the parity check relies on it). Stateless and thread-safe.
 */
public final class PostgresValueReader {

    private PostgresValueReader() {
    }

    /**
     * Reads the given columns of the current result-set row, by column name.
     *
     * @throws SQLException when the driver fails
     * @throws RowConversionException when a value has no canonical form (e.g. numeric NaN)
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
     * Reads one column of the current row.
     *
     * @param index 1-based column index
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
                return text == null ? null : decimal(text, type);
            }
            case FLOAT32: {
                float v = rs.getFloat(index);
                return rs.wasNull() ? null : v;
            }
            case FLOAT64: {
                double v = rs.getDouble(index);
                return rs.wasNull() ? null : v;
            }
            case BOOLEAN: {
                boolean v = rs.getBoolean(index);
                return rs.wasNull() ? null : v;
            }
            case TEXT: case ENUM: case JSON: case TSVECTOR:
                return rs.getString(index);
            case DATE:
                return rs.getObject(index, LocalDate.class);
            case TIME:
                return rs.getObject(index, LocalTime.class);
            case TIMESTAMP:
                return rs.getObject(index, LocalDateTime.class);
            case TIMESTAMPTZ: {
                OffsetDateTime t = rs.getObject(index, OffsetDateTime.class);
                return t == null ? null : t.toInstant();
            }
            case BYTES: {
                byte[] b = rs.getBytes(index);
                return b == null ? null : Bytes.of(b);
            }
            case UUID:
                return rs.getObject(index, UUID.class);
            case ARRAY: {
                Array a = rs.getArray(index);
                return a == null ? null : list((Object[]) a.getArray(), type.element());
            }
            default:
                throw new RowConversionException("column type " + type.sqlName() + " has no canonical form in bluegreen");
        }
    }

    private static BigDecimal decimal(String text, ColumnType type) {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new RowConversionException("numeric value '" + text + "' (" + type.sqlName()
                    + ") cannot be replicated: NaN and infinity have no decimal form", e);
        }
    }

    private static List<Object> list(Object[] elements, ColumnType elementType) throws SQLException {
        List<Object> out = new ArrayList<>(elements.length);
        for (Object e : elements) {
            out.add(element(e, elementType));
        }
        return Collections.unmodifiableList(out);
    }

    /** Converts a driver array element (boxed JDBC types) to its canonical value. */
    static Object element(Object e, ColumnType type) throws SQLException {
        if (e == null) {
            return null;
        }
        if (e instanceof PGobject pg) {
            return pg.getValue();
        }
        switch (type.kind()) {
            case INT16: case INT32: case INT64:
                return ((Number) e).longValue();
            case NUMERIC:
                return e instanceof BigDecimal d ? d : decimal(e.toString(), type);
            case FLOAT32:
                return ((Number) e).floatValue();
            case FLOAT64:
                return ((Number) e).doubleValue();
            case DATE:
                return e instanceof java.sql.Date d ? d.toLocalDate() : LocalDate.parse(e.toString());
            case TIMESTAMP:
                return ((java.sql.Timestamp) e).toLocalDateTime();
            case TIMESTAMPTZ:
                return e instanceof java.sql.Timestamp ts ? ts.toInstant() : Instant.from(OffsetDateTime.parse(e.toString()));
            case TIME:
                return e instanceof java.sql.Time t ? t.toLocalTime() : LocalTime.parse(e.toString());
            case BYTES:
                return Bytes.of((byte[]) e);
            case UUID:
                return e instanceof UUID u ? u : UUID.fromString(e.toString());
            case TEXT: case ENUM: case JSON: case TSVECTOR:
                return e.toString();
            case BOOLEAN:
                return e;
            default:
                throw new RowConversionException("array element type " + type.sqlName() + " has no canonical form");
        }
    }

    /** UTC offset used when writing instants. */
    static final ZoneOffset UTC = ZoneOffset.UTC;
}
