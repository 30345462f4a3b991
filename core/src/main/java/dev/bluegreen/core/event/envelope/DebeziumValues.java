package dev.bluegreen.core.event.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.value.Bytes;
import dev.bluegreen.core.value.Unavailable;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Decodes one Debezium field value (JSON) to its canonical value. The encodings follow Debezium's
 * PostgreSQL connector documentation, "Data type mappings" (temporal types by schema name:
 * {@code io.debezium.time.Date} days, {@code Time} ms, {@code MicroTime} µs, {@code NanoTime} ns,
 * {@code Timestamp} ms, {@code MicroTimestamp} µs, {@code NanoTimestamp} ns since the epoch,
 * {@code ZonedTimestamp} ISO-8601 text). Stateless and thread-safe.
 */
final class DebeziumValues {

    private static final byte[] PLACEHOLDER_BYTES = Unavailable.DEBEZIUM_PLACEHOLDER.getBytes(StandardCharsets.UTF_8);

    private DebeziumValues() {
    }

    static Object decode(JsonNode v, JsonNode fieldSchema, ColumnType type, TableId table, String column) {
        if (v == null || v.isNull()) {
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
                    + ") from change event value " + v + ": " + e.getMessage(), e);
        }
    }

    private static boolean isPlaceholder(JsonNode v, ColumnType type) {
        switch (type.kind()) {
            case BYTES:
                return v.isTextual() && java.util.Arrays.equals(Base64.getDecoder().decode(v.asText()), PLACEHOLDER_BYTES);
            case ARRAY:
                return v.isArray() && v.size() == 1 && v.get(0).isTextual()
                        && Unavailable.DEBEZIUM_PLACEHOLDER.equals(v.get(0).asText());
            default:
                return v.isTextual() && Unavailable.DEBEZIUM_PLACEHOLDER.equals(v.asText());
        }
    }

    private static Object value(JsonNode v, JsonNode schema, ColumnType type, TableId table, String column) {
        String name = schema.path("name").asText("");
        if (name.isEmpty()) {
            name = impliedTemporalEncoding(type);
        }
        switch (type.kind()) {
            case INT16: case INT32: case INT64:
                if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                    throw new RowConversionException(table + "." + column + ": expected a whole number, got " + v);
                }
                return v.longValue();
            case NUMERIC:
                if (!v.isTextual()) {
                    throw new RowConversionException(table + "." + column + ": numeric arrived as " + v.getNodeType()
                            + "; capture must run with decimal.handling.mode=string");
                }
                return new BigDecimal(v.asText());
            case FLOAT32:
                return v.floatValue();
            case FLOAT64:
                return v.doubleValue();
            case BOOLEAN:
                if (!v.isBoolean()) {
                    throw new RowConversionException(table + "." + column + ": expected true or false, got " + v);
                }
                return v.booleanValue();
            case TEXT: case ENUM: case JSON: case TSVECTOR:
                return v.asText();
            case DATE:
                return LocalDate.ofEpochDay(v.longValue());
            case TIME:
                return LocalTime.ofNanoOfDay(nanos(v.longValue(), name));
            case TIMESTAMP: {
                long n = v.longValue();
                long perSecond = perSecond(name);
                long seconds = Math.floorDiv(n, perSecond);
                long fraction = Math.floorMod(n, perSecond) * (1_000_000_000L / perSecond);
                return LocalDateTime.ofEpochSecond(seconds, (int) fraction, ZoneOffset.UTC);
            }
            case TIMESTAMPTZ:
                return OffsetDateTime.parse(v.asText()).toInstant();
            case BYTES:
                return Bytes.of(Base64.getDecoder().decode(v.asText()));
            case UUID:
                return UUID.fromString(v.asText());
            case ARRAY: {
                List<Object> out = new ArrayList<>(v.size());
                JsonNode items = schema.path("items");
                for (JsonNode e : v) {
                    out.add(decode(e, items, type.element(), table, column));
                }
                return Collections.unmodifiableList(out);
            }
            default:
                throw new RowConversionException(table + "." + column + ": type " + type.sqlName()
                        + " has no canonical form in bluegreen");
        }
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
