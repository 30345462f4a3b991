package dev.bluegreen.transform;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.value.Bytes;
import dev.bluegreen.core.value.CanonicalValues;
import dev.bluegreen.core.value.Unavailable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Converts values produced by expressions, constants, merges and widening copies to the canonical
 * class of a green column (see {@link CanonicalValues}), exactly or not at all:
 * <ul>
 *   <li>integer kinds: {@code Byte/Short/Integer/Long}, {@code BigInteger} and a {@code BigDecimal}
 *       without a fraction, to {@code Long} (overflow is an error);</li>
 *   <li>NUMERIC: any integer class or {@code BigDecimal}; {@code Float/Double} through their shortest
 *       decimal text ({@code BigDecimal.valueOf}); when the column declares a scale, a value with fewer
 *       digits after the point is padded to it (as the server stores it), never rounded;</li>
 *   <li>FLOAT32/FLOAT64: any {@code Number}; BOOLEAN: {@code Boolean}; text kinds: {@code String};</li>
 *   <li>DATE, TIME, TIMESTAMP, TIMESTAMPTZ, UUID: the canonical class, or ISO-8601 / standard text
 *       ({@code 2024-01-31}, {@code 10:15:30}, {@code 2024-01-31T10:15:30}, {@code 2024-01-31T10:15:30Z}
 *       or with an offset);</li>
 *   <li>ARRAY: a {@code List}, element by element.</li>
 * </ul>
 * Text is never parsed into numbers or booleans. {@code null} and {@link Unavailable#VALUE} pass
 * unchanged. Stateless, thread-safe.
 */
final class Conversions {

    private Conversions() {
    }

    /**
     * @return the canonical value for the column type
     * @throws RowConversionException when the value has no exact canonical form for the type
     */
    static Object toCanonical(Object value, ColumnType type) {
        if (value == null || value == Unavailable.VALUE) {
            return value;
        }
        Object out;
        try {
            out = convert(value, type);
        } catch (ArithmeticException | IllegalArgumentException | DateTimeException e) {
            throw new RowConversionException("value " + CanonicalValues.format(value) + " cannot be stored exactly in "
                    + type.sqlName() + ": " + e.getMessage(), e);
        }
        if (out == null) {
            throw new RowConversionException("value " + CanonicalValues.format(value) + " ("
                    + value.getClass().getSimpleName() + ") cannot be stored in " + type.sqlName());
        }
        return out;
    }

    /** The canonical text of a non-null value, for merges: plain decimals, ISO-8601 times. */
    static String text(Object value) {
        return value instanceof BigDecimal d ? d.toPlainString() : value.toString();
    }

    private static Object convert(Object value, ColumnType type) {
        switch (type.kind()) {
            case INT16: case INT32: case INT64:
                return whole(value);
            case NUMERIC:
                return decimal(value, type);
            case FLOAT32:
                return value instanceof Number n ? n.floatValue() : null;
            case FLOAT64:
                return value instanceof Number n ? n.doubleValue() : null;
            case BOOLEAN:
                return value instanceof Boolean ? value : null;
            case TEXT: case ENUM: case JSON: case TSVECTOR:
                return value instanceof String ? value : null;
            case BYTES:
                return value instanceof Bytes ? value : null;
            case ARRAY:
                return array(value, type);
            default:
                return temporalOrUuid(value, type);
        }
    }

    private static Long whole(Object value) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger b) {
            return b.longValueExact();
        }
        return value instanceof BigDecimal d ? d.longValueExact() : null;
    }

    private static BigDecimal decimal(Object value, ColumnType type) {
        BigDecimal d;
        if (value instanceof BigDecimal b) {
            d = b;
        } else if (value instanceof BigInteger b) {
            d = new BigDecimal(b);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            d = BigDecimal.valueOf(((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            d = BigDecimal.valueOf(((Number) value).doubleValue());
        } else {
            return null;
        }
        // pad, never round: a longer scale is left for checkFits to reject
        return type.scale() >= 0 && d.scale() < type.scale() ? d.setScale(type.scale()) : d;
    }

    private static Object temporalOrUuid(Object value, ColumnType type) {
        String s = value instanceof String text ? text.trim() : null;
        switch (type.kind()) {
            case DATE:
                return value instanceof LocalDate ? value : s != null ? LocalDate.parse(s) : null;
            case TIME:
                return value instanceof LocalTime ? value : s != null ? LocalTime.parse(s) : null;
            case TIMESTAMP:
                return value instanceof LocalDateTime ? value : s != null ? LocalDateTime.parse(s) : null;
            case TIMESTAMPTZ:
                return value instanceof Instant ? value : s != null ? OffsetDateTime.parse(s).toInstant() : null;
            case UUID:
                return value instanceof UUID ? value : s != null ? UUID.fromString(s) : null;
            default:
                return null;
        }
    }

    private static List<Object> array(Object value, ColumnType type) {
        if (!(value instanceof List<?> list)) {
            return null;
        }
        List<Object> out = new ArrayList<>(list.size());
        for (Object e : list) {
            out.add(toCanonical(e, type.element()));
        }
        return Collections.unmodifiableList(out);
    }
}
