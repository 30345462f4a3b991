package dev.bluegreen.core.value;

import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TypeKind;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.List;
import java.util.Optional;

/**
 * The canonical value model shared by capture decoding, JDBC reads, the transform, the sink and
 * the parity check. Two sources of the same database value (a Debezium change event and a JDBC
 * result set) must yield {@code equals} canonical values.
 *
 * <table>
 *   <caption>Canonical Java class per {@link TypeKind}</caption>
 *   <tr><th>kind</th><th>class</th></tr>
 *   <tr><td>INT16, INT32, INT64</td><td>{@link Long}</td></tr>
 *   <tr><td>NUMERIC</td><td>{@link BigDecimal}, scale as stored</td></tr>
 *   <tr><td>FLOAT32 / FLOAT64</td><td>{@link Float} / {@link Double}</td></tr>
 *   <tr><td>BOOLEAN</td><td>{@link Boolean}</td></tr>
 *   <tr><td>TEXT, ENUM, JSON, TSVECTOR</td><td>{@link String}</td></tr>
 *   <tr><td>DATE, TIME, TIMESTAMP</td><td>{@link LocalDate}, {@link LocalTime}, {@link LocalDateTime}</td></tr>
 *   <tr><td>TIMESTAMPTZ</td><td>{@link Instant}</td></tr>
 *   <tr><td>BYTES</td><td>{@link Bytes}</td></tr>
 *   <tr><td>UUID</td><td>{@link java.util.UUID}</td></tr>
 *   <tr><td>ARRAY</td><td>unmodifiable {@link List} of element values</td></tr>
 * </table>
 *
 * <p>Any column may also hold {@code null} (SQL NULL) or {@link Unavailable#VALUE}. Stateless and
 * thread-safe.
 */
public final class CanonicalValues {

    /**
     * PostgreSQL's {@code timestamptz} {@code infinity}: the latest instant an {@code OffsetDateTime}
     * reaches ({@code OffsetDateTime.MAX.toInstant()}), as PgJDBC reads it. Dates and timestamps use
     * {@code LocalDate/LocalDateTime.MAX}.
     */
    public static final Instant TIMESTAMPTZ_INFINITY = java.time.OffsetDateTime.MAX.toInstant();

    /** PostgreSQL's {@code timestamptz} {@code -infinity}: {@code OffsetDateTime.MIN.toInstant()}. */
    public static final Instant TIMESTAMPTZ_MINUS_INFINITY = java.time.OffsetDateTime.MIN.toInstant();

    private CanonicalValues() {
    }

    /** A short, unambiguous text form for messages and reports ({@code NULL}, strings quoted). */
    public static String format(Object value) {
        if (value == null) {
            return "NULL";
        }
        if (value instanceof String s) {
            return "'" + s.replace("'", "''") + "'";
        }
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (value instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("{");
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(format(list.get(i)));
            }
            return sb.append('}').toString();
        }
        return value.toString();
    }

    /**
     * Checks that a canonical value can be stored in a column of the given type without loss:
     * integer range for smallint/integer, length for varchar(n)/char(n), precision and scale for
     * numeric(p,s) (a value with a smaller scale is accepted: the server pads it), class for the
     * rest.
     *
     * @return empty when it fits, else a message naming the value, the type and the limit
     */
    public static Optional<String> checkFits(Object value, ColumnType type) {
        if (value == null || value == Unavailable.VALUE) {
            return Optional.empty();
        }
        switch (type.kind()) {
            case INT16:
                return range(value, Short.MIN_VALUE, Short.MAX_VALUE, type);
            case INT32:
                return range(value, Integer.MIN_VALUE, Integer.MAX_VALUE, type);
            case INT64:
                return value instanceof Long ? Optional.empty() : wrongClass(value, type, "a whole number");
            case NUMERIC:
                return numeric(value, type);
            case TEXT:
                if (!(value instanceof String s)) {
                    return wrongClass(value, type, "text");
                }
                if (type.length() > 0 && s.codePointCount(0, s.length()) > type.length()) {
                    return Optional.of("value of " + s.codePointCount(0, s.length()) + " characters is longer than "
                            + type.sqlName() + " allows (" + type.length() + ")");
                }
                return Optional.empty();
            case ARRAY:
                if (!(value instanceof List<?> list)) {
                    return wrongClass(value, type, "an array");
                }
                for (Object element : list) {
                    Optional<String> problem = checkFits(element, type.element());
                    if (problem.isPresent()) {
                        return Optional.of("array element: " + problem.get());
                    }
                }
                return Optional.empty();
            default:
                Class<?> expected = javaClass(type.kind());
                return expected == null || expected.isInstance(value)
                        ? Optional.empty() : wrongClass(value, type, expected.getSimpleName());
        }
    }

    /** The canonical class for a kind, or {@code null} for ARRAY/UNSUPPORTED. */
    public static Class<?> javaClass(TypeKind kind) {
        switch (kind) {
            case INT16: case INT32: case INT64: return Long.class;
            case NUMERIC: return BigDecimal.class;
            case FLOAT32: return Float.class;
            case FLOAT64: return Double.class;
            case BOOLEAN: return Boolean.class;
            case TEXT: case ENUM: case JSON: case TSVECTOR: return String.class;
            case DATE: return LocalDate.class;
            case TIME: return LocalTime.class;
            case TIMESTAMP: return LocalDateTime.class;
            case TIMESTAMPTZ: return Instant.class;
            case BYTES: return Bytes.class;
            case UUID: return java.util.UUID.class;
            default: return null;
        }
    }

    private static Optional<String> range(Object value, long min, long max, ColumnType type) {
        if (!(value instanceof Long l)) {
            return wrongClass(value, type, "a whole number");
        }
        if (l < min || l > max) {
            return Optional.of("value " + l + " is out of range for " + type.sqlName() + " (" + min + " to " + max + ")");
        }
        return Optional.empty();
    }

    private static Optional<String> numeric(Object value, ColumnType type) {
        if (!(value instanceof BigDecimal d)) {
            return wrongClass(value, type, "a decimal number");
        }
        if (type.scale() >= 0 && d.scale() > type.scale()) {
            return Optional.of("value " + d.toPlainString() + " has " + d.scale() + " digits after the point; "
                    + type.sqlName() + " keeps " + type.scale() + " (the server would round it)");
        }
        if (type.precision() > 0) {
            int scale = Math.max(type.scale(), 0);
            int integerDigits = d.precision() - d.scale();
            if (integerDigits > type.precision() - scale) {
                return Optional.of("value " + d.toPlainString() + " does not fit " + type.sqlName()
                        + " (at most " + (type.precision() - scale) + " digits before the point)");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> wrongClass(Object value, ColumnType type, String expected) {
        return Optional.of("value " + format(value) + " (" + value.getClass().getSimpleName() + ") is not "
                + expected + " as " + type.sqlName() + " needs");
    }
}
