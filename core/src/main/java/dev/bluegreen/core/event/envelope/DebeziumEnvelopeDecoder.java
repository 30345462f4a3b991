package dev.bluegreen.core.event.envelope;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Decodes Debezium change events serialized by Kafka Connect's {@code JsonConverter} into
 * {@link ChangeEvent}s with canonical values. The blue catalog read at start fixes each column's
 * kind. Records with schemas ({@code schemas.enable=true}) name each field's encoding (e.g.
 * {@code io.debezium.time.MicroTimestamp}) and are read as JSON trees; records without (what
 * bluegreen's capture publishes: a fraction of the size and of the parsing cost) get it from the
 * catalog and bluegreen's fixed capture settings, and are read token by token with Jackson's
 * streaming parser, with no tree: the tree was over half of the sink thread's CPU per row change in
 * S3's profile (bench/README.md, "Streaming lag, catch-up and memory").
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
        try (JsonParser p = JSON.getFactory().createParser(valueJson)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new RowConversionException("change event value is not a JSON object: " + abbreviated(valueJson));
            }
            String first = p.nextFieldName();
            if ("schema".equals(first) || "payload".equals(first)) {
                return decodeWithSchema(keyJson, valueJson);
            }
            return decodeStreaming(keyJson, p, first);
        } catch (JsonProcessingException e) {
            throw new RowConversionException("change event value is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The envelope without Connect schemas, read token by token (no JSON tree): the {@code after}
     * image is kept as the parser's values until {@code source}, which comes after it, names the
     * table and so the column types. {@code before} is skipped: the key comes from the record key.
     */
    private ChangeEvent decodeStreaming(String keyJson, JsonParser p, String first) throws IOException {
        Fields afterFields = null;
        String opCode = "";
        String schemaName = null;
        String db = "";
        String tableName = "";
        long commitMs = 0;
        Lsn lsn = null;
        String snapshot = "false";
        for (String name = first; name != null; name = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            switch (name) {
                case "after":
                    if (t == JsonToken.START_OBJECT) {
                        afterFields = Fields.read(p);
                    } else {
                        afterFields = null;
                        p.skipChildren();
                    }
                    break;
                case "op":
                    opCode = t == JsonToken.VALUE_STRING ? p.getText() : "";
                    break;
                case "source":
                    if (t != JsonToken.START_OBJECT) {
                        p.skipChildren();
                        break;
                    }
                    for (String s = p.nextFieldName(); s != null; s = p.nextFieldName()) {
                        JsonToken v = p.nextToken();
                        switch (s) {
                            case "schema": schemaName = v == JsonToken.VALUE_NULL ? null : p.getValueAsString(); break;
                            case "db": db = v == JsonToken.VALUE_NULL ? "" : p.getValueAsString(""); break;
                            case "table": tableName = v == JsonToken.VALUE_NULL ? "" : p.getValueAsString(""); break;
                            case "ts_ms": commitMs = p.getValueAsLong(); break;
                            case "lsn": lsn = v == JsonToken.VALUE_NULL ? null : new Lsn(p.getValueAsLong()); break;
                            case "snapshot": snapshot = v == JsonToken.VALUE_NULL ? "false" : p.getValueAsString("false"); break;
                            default: p.skipChildren();
                        }
                    }
                    break;
                default:
                    p.skipChildren();
            }
        }
        // PostgreSQL's source block names the schema; the binlog connectors' (MariaDB) name the database
        TableId table = new TableId(schemaName != null ? schemaName : db, tableName);
        Fields after = afterFields;
        return event(keyJson, table, opCode, commitMs, lsn, snapshot, tableColumns -> {
            if (after == null) {
                throw noRow(table);
            }
            return after.toRow(table, tableColumns, rowLayouts);
        });
    }

    /** The envelope with Connect schemas ({@code schemas.enable=true}), read as a JSON tree. */
    private ChangeEvent decodeWithSchema(String keyJson, String valueJson) {
        JsonNode value = parse(valueJson, "value");
        boolean withSchema = value.has("schema") && value.has("payload");
        JsonNode payload = withSchema ? value.get("payload") : value;
        JsonNode schema = withSchema ? value.get("schema") : MissingNode.getInstance();
        JsonNode source = payload.path("source");
        String schemaName = source.hasNonNull("schema") ? source.get("schema").asText() : source.path("db").asText();
        TableId table = new TableId(schemaName, source.path("table").asText());
        Lsn lsn = source.hasNonNull("lsn") ? new Lsn(source.get("lsn").asLong()) : null;
        return event(keyJson, table, payload.path("op").asText(), source.path("ts_ms").asLong(), lsn,
                source.path("snapshot").asText("false"), tableColumns -> struct(table, tableColumns,
                        payload.path("after"), withSchema ? field(schema, "after") : null, rowLayouts));
    }

    /**
     * The event from an envelope's parts, whichever reader took them out.
     *
     * @param afterImage decodes the after image with the table's columns; called only for an
     *     operation that carries one
     */
    private ChangeEvent event(String keyJson, TableId table, String opCode, long commitMs, Lsn lsn, String snapshot,
            Function<Map<String, ColumnSchema>, Row> afterImage) {
        Map<String, ColumnSchema> tableColumns = columns.get(table);
        if (tableColumns == null) {
            throw new RowConversionException("change event for table " + table + " which the pipeline does not map");
        }
        Op op = Op.fromCode(opCode);
        Row after = op.hasAfter() ? afterImage.apply(tableColumns) : null;
        Row key = keyJson == null ? Row.empty() : key(table, tableColumns, keyJson);
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
        if (!keyJson.startsWith("{\"schema\"")) {
            try (JsonParser p = JSON.getFactory().createParser(keyJson)) {
                if (p.nextToken() == JsonToken.START_OBJECT) {
                    return Fields.read(p).toRow(table, tableColumns, keyLayouts);
                }
            } catch (JsonProcessingException e) {
                throw new RowConversionException("change event key is not valid JSON: " + e.getOriginalMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
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
            throw noRow(table);
        }
        List<String> names = new ArrayList<>(payload.size());
        List<Object> values = new ArrayList<>(payload.size());
        if (schema != null) {
            for (JsonNode f : schema.path("fields")) {
                String name = f.path("field").asText();
                add(table, tableColumns, name, DebeziumValues.raw(payload.get(name)), f, names, values);
            }
        } else {
            // no Connect schema: the payload's own fields, encodings from blue's catalog
            for (Iterator<Map.Entry<String, JsonNode>> it = payload.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                add(table, tableColumns, e.getKey(), DebeziumValues.raw(e.getValue()), MissingNode.getInstance(), names,
                        values);
            }
        }
        return Row.of(layout(layouts, table, names), values);
    }

    private static void add(TableId table, Map<String, ColumnSchema> tableColumns, String name, Object value,
            JsonNode fieldSchema, List<String> names, List<Object> values) {
        values.add(column(table, tableColumns, name, value, fieldSchema));
        names.add(name);
    }

    /** One column's canonical value, by the column's type in blue's catalog. */
    private static Object column(TableId table, Map<String, ColumnSchema> tableColumns, String name, Object value,
            JsonNode fieldSchema) {
        ColumnSchema column = tableColumns.get(name);
        if (column == null) {
            throw new RowConversionException("change event for " + table + " has column '" + name
                    + "' that blue's catalog did not have when the pipeline started; restart the pipeline"
                    + " after a schema change on blue");
        }
        return DebeziumValues.decode(value, fieldSchema, column.type(), table, name);
    }

    private static RowConversionException noRow(TableId table) {
        return new RowConversionException("change event for " + table + " has no row where one was expected");
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

    private static String abbreviated(String json) {
        return json.length() > 200 ? json.substring(0, 200) + "..." : json;
    }

    /**
     * One JSON object's fields as the parser read them, in order: names (canonicalized by the
     * parser's symbol table) and values in {@link DebeziumValues#decode}'s form. Not thread-safe;
     * lives for one decode.
     */
    private static final class Fields {
        final List<String> names = new ArrayList<>(16);
        final List<Object> values = new ArrayList<>(16);

        /** Reads the object whose {@code START_OBJECT} the parser is at, through its {@code END_OBJECT}. */
        static Fields read(JsonParser p) throws IOException {
            Fields f = new Fields();
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                f.names.add(name);
                f.values.add(value(p, p.nextToken()));
            }
            return f;
        }

        private static Object value(JsonParser p, JsonToken t) throws IOException {
            switch (t) {
                case VALUE_NULL:
                    return null;
                case VALUE_STRING:
                    return p.getText();
                case VALUE_NUMBER_INT:
                    return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue()
                            : (Object) p.getLongValue();
                case VALUE_NUMBER_FLOAT:
                    return p.getDoubleValue();
                case VALUE_TRUE:
                    return Boolean.TRUE;
                case VALUE_FALSE:
                    return Boolean.FALSE;
                case START_ARRAY: {
                    List<Object> out = new ArrayList<>();
                    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                        out.add(value(p, e));
                    }
                    return out;
                }
                case START_OBJECT: {
                    Map<String, Object> out = new LinkedHashMap<>();
                    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                        out.put(name, value(p, p.nextToken()));
                    }
                    return out;
                }
                default:
                    throw new RowConversionException("unexpected JSON token " + t + " in a change event");
            }
        }

        Row toRow(TableId table, Map<String, ColumnSchema> tableColumns, Map<TableId, Row.Layout> layouts) {
            List<Object> decoded = new ArrayList<>(names.size());
            for (int i = 0; i < names.size(); i++) {
                decoded.add(column(table, tableColumns, names.get(i), values.get(i), MissingNode.getInstance()));
            }
            return Row.of(layout(layouts, table, names), decoded);
        }
    }
}
