package dev.bluegreen.core.event.envelope;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.ChangeEvent;
import dev.bluegreen.core.event.Op;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.position.Lsn;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.TableSchema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes Debezium change events serialized by Kafka Connect's {@code JsonConverter} into
 * {@link ChangeEvent}s with canonical values. The blue catalog read at start fixes each column's
 * kind. Records with schemas ({@code schemas.enable=true}) name each field's encoding (e.g.
 * {@code io.debezium.time.MicroTimestamp}); records without (what bluegreen's capture publishes:
 * a fraction of the size and of the parsing cost) get it from the catalog and bluegreen's fixed
 * capture settings.
 *
 * <p>Expects the capture settings bluegreen uses: {@code decimal.handling.mode=string},
 * {@code binary.handling.mode=bytes}, the default {@code unavailable.value.placeholder}.
 * Thread-safe after construction.
 */
public final class DebeziumEnvelopeDecoder {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<TableId, Map<String, ColumnSchema>> columns = new HashMap<>();

    /**
     * @param blueTables the blue tables, as read from blue's catalog, that events may name
     */
    public DebeziumEnvelopeDecoder(Map<TableId, TableSchema> blueTables) {
        blueTables.forEach((id, schema) -> {
            Map<String, ColumnSchema> byName = new HashMap<>();
            schema.columns().forEach(c -> byName.put(c.name(), c));
            columns.put(id, byName);
        });
    }

    /**
     * Decodes one Kafka record.
     *
     * @param keyJson the record key (JSON with schema), or {@code null} (truncate events)
     * @param valueJson the record value, or {@code null} for a tombstone
     * @return the event, or {@code null} for a tombstone (which carries nothing to apply)
     * @throws RowConversionException when the JSON is malformed, names an unknown table or column,
     *     or holds a value that has no canonical form
     */
    public ChangeEvent decode(String keyJson, String valueJson) {
        if (valueJson == null) {
            return null;
        }
        JsonNode value = parse(valueJson, "value");
        boolean withSchema = value.has("schema") && value.has("payload");
        JsonNode payload = withSchema ? value.get("payload") : value;
        JsonNode schema = withSchema ? value.get("schema") : MissingNode.getInstance();
        JsonNode source = payload.path("source");
        // PostgreSQL's source block names the schema; the binlog connectors' (MariaDB) name the database
        String schemaName = source.hasNonNull("schema") ? source.get("schema").asText() : source.path("db").asText();
        TableId table = new TableId(schemaName, source.path("table").asText());
        Map<String, ColumnSchema> tableColumns = columns.get(table);
        if (tableColumns == null) {
            throw new RowConversionException("change event for table " + table + " which the pipeline does not map");
        }
        Op op = Op.fromCode(payload.path("op").asText());
        long commitMs = source.path("ts_ms").asLong();
        Lsn lsn = source.hasNonNull("lsn") ? new Lsn(source.get("lsn").asLong()) : null;
        Row after = null;
        if (op.hasAfter()) {
            after = struct(table, tableColumns, payload.path("after"), withSchema ? field(schema, "after") : null);
        }
        Row key = keyJson == null ? Row.empty() : key(table, tableColumns, keyJson);
        String snapshot = source.path("snapshot").asText("false");
        boolean lastOfTable = snapshot.equals("last") || snapshot.equals("last_in_data_collection");
        return new ChangeEvent(table, op, key, after, lsn, commitMs, lastOfTable);
    }

    /**
     * Decodes only the key of a record whose table is known (from its topic), without reading the
     * value: for callers that need the changed keys and not the changes.
     *
     * @param table the blue table the record's topic carries
     * @param keyJson the record key (JSON, with or without a schema); not null
     * @return the key row, columns in the key's order, canonical values
     * @throws RowConversionException when the JSON is malformed, the table is not mapped, or a key
     *     column is unknown or has no canonical form
     */
    public Row decodeKey(TableId table, String keyJson) {
        Map<String, ColumnSchema> tableColumns = columns.get(table);
        if (tableColumns == null) {
            throw new RowConversionException("record key for table " + table + " which the pipeline does not map");
        }
        return key(table, tableColumns, keyJson);
    }

    private static Row key(TableId table, Map<String, ColumnSchema> tableColumns, String keyJson) {
        JsonNode keyNode = parse(keyJson, "key");
        boolean keyWithSchema = keyNode.has("schema") && keyNode.has("payload");
        return struct(table, tableColumns, keyWithSchema ? keyNode.get("payload") : keyNode,
                keyWithSchema ? keyNode.get("schema") : null);
    }

    private static JsonNode parse(String json, String what) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new RowConversionException("change event " + what + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode field(JsonNode structSchema, String name) {
        for (JsonNode f : structSchema.path("fields")) {
            if (name.equals(f.path("field").asText())) {
                return f;
            }
        }
        throw new RowConversionException("change event schema has no field '" + name
                + "'; was it produced by bluegreen's capture (JsonConverter, schemas.enable=true)?");
    }

    /**
     * The fields of a row: from the Connect schema when the record has one, else one synthetic
     * field descriptor per payload field (encodings then follow from blue's catalog).
     */
    private static Iterable<JsonNode> fields(JsonNode payload, JsonNode schema) {
        if (schema != null) {
            return schema.path("fields");
        }
        List<JsonNode> out = new ArrayList<>();
        payload.fieldNames().forEachRemaining(n -> out.add(JsonNodeFactory.instance.objectNode().put("field", n)));
        return out;
    }

    private static Row struct(TableId table, Map<String, ColumnSchema> tableColumns, JsonNode payload, JsonNode schema) {
        if (!payload.isObject()) {
            throw new RowConversionException("change event for " + table + " has no row where one was expected");
        }
        List<String> names = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        for (JsonNode f : fields(payload, schema)) {
            String name = f.path("field").asText();
            ColumnSchema column = tableColumns.get(name);
            if (column == null) {
                throw new RowConversionException("change event for " + table + " has column '" + name
                        + "' that blue's catalog did not have when the pipeline started; restart the pipeline"
                        + " after a schema change on blue");
            }
            names.add(name);
            values.add(DebeziumValues.decode(payload.get(name), f, column.type(), table, name));
        }
        return Row.of(names, values);
    }
}
