package dev.bluegreen.core.event.envelope;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
 * Thread-safe: the only state that changes after construction is a per-table cache of row layouts
 * (concurrent maps).
 */
public final class DebeziumEnvelopeDecoder {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<TableId, Map<String, ColumnSchema>> columns = new HashMap<>();
    /** Per table, the layout of the last decoded row (after image): rows of one table share it. */
    private final Map<TableId, Row.Layout> rowLayouts = new ConcurrentHashMap<>();
    /** Per table, the layout of the last decoded key. */
    private final Map<TableId, Row.Layout> keyLayouts = new ConcurrentHashMap<>();

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
            after = struct(table, tableColumns, payload.path("after"), withSchema ? field(schema, "after") : null,
                    rowLayouts);
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

    private Row key(TableId table, Map<String, ColumnSchema> tableColumns, String keyJson) {
        JsonNode keyNode = parse(keyJson, "key");
        boolean keyWithSchema = keyNode.has("schema") && keyNode.has("payload");
        return struct(table, tableColumns, keyWithSchema ? keyNode.get("payload") : keyNode,
                keyWithSchema ? keyNode.get("schema") : null, keyLayouts);
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

    private static Row struct(TableId table, Map<String, ColumnSchema> tableColumns, JsonNode payload, JsonNode schema,
            Map<TableId, Row.Layout> layouts) {
        if (!payload.isObject()) {
            throw new RowConversionException("change event for " + table + " has no row where one was expected");
        }
        List<String> names = new ArrayList<>(payload.size());
        List<Object> values = new ArrayList<>(payload.size());
        if (schema != null) {
            for (JsonNode f : schema.path("fields")) {
                String name = f.path("field").asText();
                add(table, tableColumns, name, payload.get(name), f, names, values);
            }
        } else {
            // no Connect schema: the payload's own fields, encodings from blue's catalog
            for (Iterator<Map.Entry<String, JsonNode>> it = payload.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                add(table, tableColumns, e.getKey(), e.getValue(), MissingNode.getInstance(), names, values);
            }
        }
        return Row.of(layout(layouts, table, names), values);
    }

    private static void add(TableId table, Map<String, ColumnSchema> tableColumns, String name, JsonNode value,
            JsonNode fieldSchema, List<String> names, List<Object> values) {
        ColumnSchema column = tableColumns.get(name);
        if (column == null) {
            throw new RowConversionException("change event for " + table + " has column '" + name
                    + "' that blue's catalog did not have when the pipeline started; restart the pipeline"
                    + " after a schema change on blue");
        }
        names.add(name);
        values.add(DebeziumValues.decode(value, fieldSchema, column.type(), table, name));
    }

    /**
     * The layout of these column names: the table's last one when the names are the same (a table's
     * events carry the same fields in the same order), else a new one, remembered for the next event.
     */
    private static Row.Layout layout(Map<TableId, Row.Layout> layouts, TableId table, List<String> names) {
        Row.Layout last = layouts.get(table);
        if (last != null && last.columns().equals(names)) {
            return last;
        }
        Row.Layout fresh = Row.Layout.of(names);
        layouts.put(table, fresh);
        return fresh;
    }
}
