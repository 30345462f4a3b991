package dev.bluegreen.core.event.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.value.Bytes;
import dev.bluegreen.core.value.CanonicalValues;
import dev.bluegreen.core.value.Unavailable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Decodes one Debezium field value (JSON) to its canonical value. The encodings follow Debezium's
 * PostgreSQL connector documentation, "Data type mappings" (temporal types by schema name:
 * {@code io.debezium.time.Date} days, {@code Time} ms, {@code MicroTime} µs, {@code NanoTime} ns,
 * {@code Timestamp} ms, {@code MicroTimestamp} µs, {@code NanoTimestamp} ns since the epoch,
 * {@code ZonedTimestamp} ISO-8601 text). Values arrive as the JSON parser read them (see
 * {@link #decode}), not as JSON trees. Stateless and thread-safe.
 */
final class DebeziumValues {

    /** The unavailable-value placeholder as Debezium sends it in a {@code bytea} column (base64 of its UTF-8). */
    private static final String PLACEHOLDER_BASE64 =
            Base64.getEncoder().encodeToString(Unavailable.DEBEZIUM_PLACEHOLDER.getBytes(StandardCharsets.UTF_8));

    /*
     * PostgreSQL's infinite dates and timestamps as Debezium's PostgreSQL connector encodes them
     * (PostgresValueConverter: POSITIVE_INFINITY_LOCAL_DATE -5877611-06-21, NEGATIVE_INFINITY_LOCAL_DATE
     * -5877611-06-22, timestamps at PgJDBC's PGStatement.DATE_POSITIVE/NEGATIVE_INFINITY read as
     * microseconds; timestamptz as the text "infinity" / "-infinity"). They decode to the canonical
     * MAX / MIN that the binary COPY reader gives the same values, so a streamed row equals its copy.
     * The date sentinels lie millions of years before PostgreSQL's earliest date (4714 BC); the
     * timestamp ones at 294247 AD, inside its range (up to 294276 AD) but at one microsecond each.
     */
    private static final long POSITIVE_INFINITY_EPOCH_DAY = -2_147_472_692L;
    private static final long NEGATIVE_INFINITY_EPOCH_DAY = -2_147_472_691L;
    private static final long POSITIVE_INFINITY_MICROS = 9_223_372_036_825_200_000L;
    private static final long NEGATIVE_INFINITY_MICROS = -9_223_372_036_832_400_000L;

    private DebeziumValues() {
    }

    /**
     * Decodes one field value.
     *
     * @param v the value as the JSON parser read it: {@code null}, {@link String}, {@link Long},
     *     {@link BigInteger} (a whole number beyond 64 bits), {@link Double}, {@link Boolean}, a
     *     {@link List} of those, or a {@link Map} (a JSON object, which no column type takes)
     * @param fieldSchema the field's Connect schema, or a missing node when the record has none
     *     (the encoding then follows from the column type)
     * @throws RowConversionException when the value does not fit the column's type, naming the
     *     table, column and value
     */
    static Object decode(Object v, JsonNode fieldSchema, ColumnType type, TableId table, String column) {
        if (v == null) {
            return null;
        }
        if (isPlaceholder(v, type)) {
            return Unavailable.VALUE;
        }
        try {
            return value(v, fieldSchema, type, table, column);
        } catch (RuntimeException e) {
            if (e instanceof RowConversionException) {
                throw e;
            }
            throw new RowConversionException("cannot decode " + table + "." + column + " (" + type.sqlName()
                    + ") from change event value " + describe(v) + ": " + e.getMessage(), e);
        }
    }

    /** The parser's form of a JSON tree value, as {@link #decode} takes it. */
    static Object raw(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? (Object) n.longValue() : n.bigIntegerValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isArray()) {
            List<Object> out = new ArrayList<>(n.size());
            n.forEach(e -> out.add(raw(e)));
            return out;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), raw(e.getValue())));
        return out;
    }

    private static boolean isPlaceholder(Object v, ColumnType type) {
        switch (type.kind()) {
            case BYTES:
                return PLACEHOLDER_BASE64.equals(v);
            case ARRAY:
                return v instanceof List<?> l && l.size() == 1 && Unavailable.DEBEZIUM_PLACEHOLDER.equals(l.get(0));
            default:
                return Unavailable.DEBEZIUM_PLACEHOLDER.equals(v);
        }
    }

    private static Object value(Object v, JsonNode schema, ColumnType type, TableId table, String column) {
        String name = schema.path("name").asText("");
        if (name.isEmpty()) {
            name = impliedTemporalEncoding(type);
        }
        switch (type.kind()) {
            case INT16: case INT32: case INT64:
                return whole(v, table, column);
            case NUMERIC:
                if (!(v instanceof String s)) {
                    throw new RowConversionException(table + "." + column + ": numeric arrived as " + describe(v)
                            + "; capture must run with decimal.handling.mode=string");
                }
                return new BigDecimal(s);
            case FLOAT32:
                return (float) floating(v, table, column);
            case FLOAT64:
                return floating(v, table, column);
            case BOOLEAN:
                if (!(v instanceof Boolean b)) {
                    throw new RowConversionException(table + "." + column + ": expected true or false, got " + describe(v));
                }
                return b;
            case TEXT: case ENUM: case JSON: case TSVECTOR:
                if (v instanceof String || v instanceof Number || v instanceof Boolean) {
                    return v.toString();
                }
                throw new RowConversionException(table + "." + column + ": expected text, got " + describe(v));
            case DATE: {
                long days = whole(v, table, column);
                if (days == POSITIVE_INFINITY_EPOCH_DAY) {
                    return LocalDate.MAX;
                }
                if (days == NEGATIVE_INFINITY_EPOCH_DAY) {
                    return LocalDate.MIN;
                }
                return LocalDate.ofEpochDay(days);
            }
            case TIME: {
                long nanos = nanos(whole(v, table, column), name);
                // PostgreSQL's 24:00:00, as the binary COPY reader maps it
                return nanos >= 86_400_000_000_000L ? LocalTime.MAX : LocalTime.ofNanoOfDay(nanos);
            }
            case TIMESTAMP: {
                long n = whole(v, table, column);
                long perSecond = perSecond(name);
                if (perSecond <= 1_000_000L) {
                    long unitsPerMicro = 1_000_000L / perSecond;
                    if (n == POSITIVE_INFINITY_MICROS / unitsPerMicro) {
                        return LocalDateTime.MAX;
                    }
                    if (n == NEGATIVE_INFINITY_MICROS / unitsPerMicro) {
                        return LocalDateTime.MIN;
                    }
                }
                long seconds = Math.floorDiv(n, perSecond);
                long fraction = Math.floorMod(n, perSecond) * (1_000_000_000L / perSecond);
                return LocalDateTime.ofEpochSecond(seconds, (int) fraction, ZoneOffset.UTC);
            }
            case TIMESTAMPTZ: {
                String t = text(v, table, column);
                if (t.equals("infinity")) {
                    return CanonicalValues.TIMESTAMPTZ_INFINITY;
                }
                if (t.equals("-infinity")) {
                    return CanonicalValues.TIMESTAMPTZ_MINUS_INFINITY;
                }
                return OffsetDateTime.parse(t).toInstant();
            }
            case BYTES:
                return Bytes.of(Base64.getDecoder().decode(text(v, table, column)));
            case UUID:
                return UUID.fromString(text(v, table, column));
            case ARRAY: {
                if (!(v instanceof List<?> list)) {
                    throw new RowConversionException(table + "." + column + ": expected an array, got " + describe(v));
                }
                List<Object> out = new ArrayList<>(list.size());
                JsonNode items = schema.path("items");
                for (Object e : list) {
                    out.add(decode(e, items, type.element(), table, column));
                }
                return Collections.unmodifiableList(out);
            }
            default:
                throw new RowConversionException(table + "." + column + ": type " + type.sqlName()
                        + " has no canonical form in bluegreen");
        }
    }

    private static long whole(Object v, TableId table, String column) {
        if (!(v instanceof Long l)) {
            throw new RowConversionException(table + "." + column + ": expected a whole number of at most 64 bits, got "
                    + describe(v));
        }
        return l;
    }

    /**
     * A floating-point value: a JSON number, or the strings {@code NaN}, {@code Infinity} and
     * {@code -Infinity}, which is how Jackson (and so Kafka Connect's {@code JsonConverter}) writes
     * the non-finite values ({@code JsonWriteFeature.WRITE_NAN_AS_STRINGS}, on by default).
     */
    private static double floating(Object v, TableId table, String column) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            switch (s) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default: break;
            }
        }
        throw new RowConversionException(table + "." + column + ": expected a number, got " + describe(v));
    }

    private static String text(Object v, TableId table, String column) {
        if (!(v instanceof String s)) {
            throw new RowConversionException(table + "." + column + ": expected a JSON string, got " + describe(v));
        }
        return s;
    }

    /** A value as the error messages show it: strings quoted, JSON objects and arrays by kind and content. */
    private static String describe(Object v) {
        if (v instanceof String s) {
            return "\"" + (s.length() > 200 ? s.substring(0, 200) + "..." : s) + "\"";
        }
        if (v instanceof Map) {
            return "a JSON object " + v;
        }
        if (v instanceof List) {
            return "a JSON array " + v;
        }
        return String.valueOf(v);
    }

    /**
     * The encoding Debezium uses for a temporal column when the record carries no schema, under
     * bluegreen's fixed {@code time.precision.mode=adaptive_time_microseconds}: TIME is always
     * {@code MicroTime}; TIMESTAMP(0..3) is {@code Timestamp} (ms), wider is {@code MicroTimestamp}
     * (Debezium PostgreSQL connector documentation, "Temporal types").
     */
    private static String impliedTemporalEncoding(ColumnType type) {
        switch (type.kind()) {
            case TIME:
                return "io.debezium.time.MicroTime";
            case TIMESTAMP:
                return type.scale() >= 0 && type.scale() <= 3 ? "io.debezium.time.Timestamp"
                        : "io.debezium.time.MicroTimestamp";
            default:
                return "";
        }
    }

    private static long perSecond(String schemaName) {
        switch (schemaName) {
            case "io.debezium.time.NanoTimestamp": case "io.debezium.time.NanoTime": return 1_000_000_000L;
            case "io.debezium.time.MicroTimestamp": case "io.debezium.time.MicroTime": return 1_000_000L;
            case "io.debezium.time.Timestamp": case "io.debezium.time.Time":
            case "org.apache.kafka.connect.data.Timestamp": case "org.apache.kafka.connect.data.Time":
                return 1_000L;
            default:
                throw new RowConversionException("unexpected temporal encoding '" + schemaName + "'");
        }
    }

    private static long nanos(long value, String schemaName) {
        return value * (1_000_000_000L / perSecond(schemaName));
    }
}
