package dev.bluegreen.transform;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.value.Bytes;
import dev.bluegreen.core.value.CanonicalValues;
import dev.bluegreen.core.value.Unavailable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Converts values produced by expressions, constants, merges and widening copies to the canonical
 * class of a green column (see {@link CanonicalValues}). Only exact conversions: a fractional
 * number never becomes an integer, text is never parsed into a number. Stateless, thread-safe.
 */
final class Conversions {

    private Conversions() {
    }

    /**
     * @throws RowConversionException when the value has no exact canonical form for the type
     */
    static Object toCanonical(Object value, ColumnType type) {
        if (value == null || value == Unavailable.VALUE) {
            return value;
        }
        try {
            Object out = convert(value, type);
            if (out != null) {
                return out;
            }
        } catch (ArithmeticException | NumberFormatException | DateTimeParseException e) {
            throw new RowConversionException("value " + CanonicalValues.format(value) + " cannot be stored exactly in "
                    + type.sqlName() + ": " + e.getMessage(), e);
        }
        throw new RowConversionException("value " + CanonicalValues.format(value) + " (" + value.getClass().getSimpleName()
                + ") cannot be stored in " + type.sqlName());
    }

    private static Object convert(Object value, ColumnType type) {
        switch (type.kind()) {
            case INT16: case INT32: case INT64:
                if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
                    return ((Number) value).longValue();
                }
                if (value instanceof BigInteger b) {
                    return b.longValueExact();
                }
                return value instanceof BigDecimal d ? d.longValueExact() : null;
            case NUMERIC:
                if (value instanceof BigDecimal d) {
                    return d;
                }
                if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
                    return BigDecimal.valueOf(((Number) value).longValue());
                }
                if (value instanceof BigInteger b) {
                    return new BigDecimal(b);
                }
                return value instanceof Double || value instanceof Float ? new BigDecimal(value.toString()) : null;
            case FLOAT32:
                return value instanceof Number n ? n.floatValue() : null;
            case FLOAT64:
                return value instanceof Number n ? n.doubleValue() : null;
            case BOOLEAN:
                return value instanceof Boolean ? value : null;
            case TEXT: case ENUM: case JSON: case TSVECTOR:
                return value instanceof String || value instanceof Character ? value.toString() : null;
            case DATE:
                return value instanceof LocalDate ? value : value instanceof String s ? LocalDate.parse(s) : null;
            case TIME:
                return value instanceof LocalTime ? value : value instanceof String s ? LocalTime.parse(s) : null;
            case TIMESTAMP:
                return value instanceof LocalDateTime ? value : value instanceof String s ? LocalDateTime.parse(s) : null;
            case TIMESTAMPTZ:
                return value instanceof Instant ? value
                        : value instanceof String s ? OffsetDateTime.parse(s).toInstant() : null;
            case UUID:
                return value instanceof UUID ? value : value instanceof String s ? UUID.fromString(s) : null;
            case BYTES:
                return value instanceof Bytes ? value : null;
            case ARRAY: {
                if (!(value instanceof List<?> list)) {
                    return null;
                }
                List<Object> out = new ArrayList<>(list.size());
                for (Object e : list) {
                    out.add(toCanonical(e, type.element()));
                }
                return Collections.unmodifiableList(out);
            }
            default:
                return null;
        }
    }

    /** Canonical text of a value, for merges. */
    static String text(Object value) {
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return value.toString();
    }
}
