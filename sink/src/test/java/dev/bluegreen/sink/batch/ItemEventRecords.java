package dev.bluegreen.sink.batch;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Builds the Kafka records Debezium's PostgreSQL connector writes through Kafka Connect's
 * {@code JsonConverter} for the test table {@code public.items(id integer primary key, name text,
 * qty integer, note text)} and for bluegreen's heartbeat table, on topic {@link #TOPIC} with
 * increasing offsets per partition.
 *
 * <p>The builder remembers the rows it wrote (blue's state), so that a full update repeats the
 * current {@code note} and an unchanged-TOAST update carries the current {@code name}, as
 * PostgreSQL's logical decoding does. Rows written by an earlier batch are declared with
 * {@link #existing}. The commit time ({@code source.ts_ms}) of an event is
 * {@link #commitMs(long) commitMs(offset)}. A plain builder, not a test base; not thread-safe.
 */
final class ItemEventRecords {

    /** How {@code JsonConverter} serialised key and value. */
    enum Encoding {
        /** {@code schemas.enable=true}: {@code {"schema":..., "payload":...}}. */
        WITH_SCHEMAS,
        /** {@code schemas.enable=false}: the payload alone, as bluegreen's capture publishes it. */
        PAYLOAD_ONLY
    }

    /** What an update carries for the TOASTable column {@code note}. */
    enum Toast {
        /** The value itself (it changed, or the table has REPLICA IDENTITY FULL). */
        FULL,
        /** Debezium's placeholder for an unchanged TOASTed value. */
        UNCHANGED
    }

    static final String TOPIC = "bluegreen.t.public.items";
    static final String PLACEHOLDER = "__debezium_unavailable_value";
    static final long BASE_MS = 1_700_000_000_000L;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Encoding encoding;
    private final List<ConsumerRecord<String, String>> records = new ArrayList<>();
    private final Map<Integer, Long> nextOffset = new HashMap<>();
    private final Map<Integer, Item> rows = new HashMap<>();
    private int partition;

    private record Item(String name, int qty, String note) {
    }

    ItemEventRecords(Encoding encoding) {
        this.encoding = encoding;
    }

    /** Blue commit time of an event at this offset, ms since the epoch. */
    static long commitMs(long offset) {
        return BASE_MS + offset;
    }

    /** The note an insert writes when none is given. */
    static String defaultNote(int id) {
        return "long note of item " + id;
    }

    /** Continues on another partition, whose next offset becomes {@code offset}. */
    ItemEventRecords at(int partition, long offset) {
        this.partition = partition;
        nextOffset.put(partition, offset);
        return this;
    }

    /** Declares a row that blue already has (from an earlier batch); writes no record. */
    ItemEventRecords existing(int id, String name, int qty, String note) {
        rows.put(id, new Item(name, qty, note));
        return this;
    }

    ItemEventRecords insert(int id, String name, int qty) {
        return insert(id, name, qty, defaultNote(id));
    }

    ItemEventRecords insert(int id, String name, int qty, String note) {
        rows.put(id, new Item(name, qty, note));
        return add(key(id), envelope("c", null, item(id, name, qty, note), "false"));
    }

    /** A full update: every column, {@code note} unchanged. */
    ItemEventRecords update(int id, String name, int qty) {
        return update(id, name, qty, Toast.FULL);
    }

    /** An update of name and qty; {@code note} is carried as the {@code toast} shape says. */
    ItemEventRecords update(int id, String name, int qty, Toast toast) {
        String note = current(id).note();
        rows.put(id, new Item(name, qty, note));
        String carried = toast == Toast.FULL ? note : PLACEHOLDER;
        return add(key(id), envelope("u", null, item(id, name, qty, carried), "false"));
    }

    /** An update of qty whose {@code note} is an unchanged TOAST value (Debezium's placeholder). */
    ItemEventRecords updateWithUnchangedToast(int id, int qty) {
        return update(id, current(id).name(), qty, Toast.UNCHANGED);
    }

    /**
     * A snapshot row.
     *
     * @param marker Debezium's {@code source.snapshot}: {@code true}, {@code first}, {@code last},
     *     {@code last_in_data_collection}, ...
     */
    ItemEventRecords snapshotRead(int id, String name, int qty, String marker) {
        rows.put(id, new Item(name, qty, defaultNote(id)));
        return add(key(id), envelope("r", null, item(id, name, qty, defaultNote(id)), marker));
    }

    /** A delete (before-image: the key plus dummy values, no after) followed by its tombstone. */
    ItemEventRecords delete(int id) {
        rows.remove(id);
        add(key(id), envelope("d", item(id, "", 0, null), null, "false"));
        return add(key(id), null);
    }

    /** A delete of a table without a usable key: the record has no key, and no tombstone follows. */
    ItemEventRecords deleteWithoutKey(int id) {
        rows.remove(id);
        return add(null, envelope("d", item(id, "", 0, null), null, "false"));
    }

    /** A truncate of {@code public.items}: no key, no before or after. */
    ItemEventRecords truncate() {
        rows.clear();
        ObjectNode payload = NODES.objectNode();
        payload.set("source", source("public", "items", "false"));
        payload.put("op", "t").put("ts_ms", commitMs(peekOffset()) + 5);
        ArrayNode fields = NODES.arrayNode().add(sourceSchema()).add(field("string", "op", false))
                .add(field("int64", "ts_ms", true));
        return add(null, encode(payload, struct(fields, "io.debezium.connector.common.TruncateEnvelope", null, false)));
    }

    /** A heartbeat row update of {@code bluegreen.heartbeat} committed at {@code commitMs}. */
    ItemEventRecords heartbeat(long commitMs) {
        ObjectNode after = NODES.objectNode().put("pipeline", "t").put("beat_at", "2023-11-14T22:13:20.123456Z")
                .put("beats", 42);
        ObjectNode source = source("bluegreen", "heartbeat", "false").put("ts_ms", commitMs);
        ArrayNode rowFields = NODES.arrayNode().add(field("string", "pipeline", false))
                .add(field("string", "beat_at", true).put("name", "io.debezium.time.ZonedTimestamp").put("version", 1))
                .add(field("int64", "beats", true));
        ObjectNode keyPayload = NODES.objectNode().put("pipeline", "t");
        return add(encode(keyPayload, struct(NODES.arrayNode().add(field("string", "pipeline", false)),
                "bluegreen.t.bluegreen.heartbeat.Key", null, false)), envelope("u", null, after, source, rowFields));
    }

    /** Capture's "snapshot complete" marker for a table ({@code schema.table}): no key. */
    ItemEventRecords snapshotComplete(String table) {
        return add(null, NODES.objectNode().put("bluegreen", "snapshot-complete").put("table", table).toString());
    }

    /** Any key and value, e.g. bytes that are not JSON. */
    ItemEventRecords raw(String key, String value) {
        return add(key, value);
    }

    /** The record key of an item, in this builder's encoding. */
    String key(int id) {
        ObjectNode payload = NODES.objectNode().put("id", id);
        return encode(payload, struct(NODES.arrayNode().add(field("int32", "id", false)),
                "bluegreen.t.public.items.Key", null, false));
    }

    List<ConsumerRecord<String, String>> build() {
        return List.copyOf(records);
    }

    private Item current(int id) {
        Item item = rows.get(id);
        if (item == null) {
            throw new IllegalStateException("item " + id + " is not in blue; insert it or declare it with"
                    + " existing(...)");
        }
        return item;
    }

    private static ObjectNode item(int id, String name, int qty, String note) {
        return NODES.objectNode().put("id", id).put("name", name).put("qty", qty).put("note", note);
    }

    private static ArrayNode itemFields() {
        return NODES.arrayNode().add(field("int32", "id", false)).add(field("string", "name", true))
                .add(field("int32", "qty", true)).add(field("string", "note", true));
    }

    private String envelope(String op, ObjectNode before, ObjectNode after, String snapshot) {
        return envelope(op, before, after, source("public", "items", snapshot), itemFields());
    }

    private String envelope(String op, ObjectNode before, ObjectNode after, ObjectNode source, ArrayNode rowFields) {
        ObjectNode payload = NODES.objectNode();
        payload.set("before", before == null ? NODES.nullNode() : before);
        payload.set("after", after == null ? NODES.nullNode() : after);
        payload.set("source", source);
        payload.put("op", op).put("ts_ms", source.get("ts_ms").asLong() + 5);
        payload.putNull("transaction");
        String rowName = "bluegreen.t." + source.get("schema").asText() + "." + source.get("table").asText() + ".Value";
        ArrayNode fields = NODES.arrayNode().add(struct(rowFields, rowName, "before", true))
                .add(struct(rowFields, rowName, "after", true)).add(sourceSchema())
                .add(field("string", "op", false)).add(field("int64", "ts_ms", true));
        return encode(payload, struct(fields, rowName.replace(".Value", ".Envelope"), null, false));
    }

    private ObjectNode source(String schema, String table, String snapshot) {
        return NODES.objectNode().put("version", "3.5.0.Final").put("connector", "postgresql")
                .put("name", "bluegreen.t")
                .put("ts_ms", commitMs(peekOffset())).put("snapshot", snapshot).put("db", "app")
                .put("schema", schema).put("table", table).put("txId", 700 + peekOffset())
                .put("lsn", 23_000_000L + peekOffset());
    }

    private static ObjectNode sourceSchema() {
        ArrayNode fields = NODES.arrayNode().add(field("string", "version", false))
                .add(field("string", "connector", false)).add(field("string", "name", false))
                .add(field("int64", "ts_ms", false))
                .add(field("string", "snapshot", true).put("name", "io.debezium.data.Enum"))
                .add(field("string", "db", false)).add(field("string", "schema", false))
                .add(field("string", "table", false)).add(field("int64", "txId", true))
                .add(field("int64", "lsn", true));
        return struct(fields, "io.debezium.connector.postgresql.Source", "source", false);
    }

    private static ObjectNode field(String type, String name, boolean optional) {
        return NODES.objectNode().put("type", type).put("optional", optional).put("field", name);
    }

    private static ObjectNode struct(ArrayNode fields, String name, String field, boolean optional) {
        ObjectNode s = NODES.objectNode().put("type", "struct");
        s.set("fields", fields);
        s.put("optional", optional).put("name", name);
        if (field != null) {
            s.put("field", field);
        }
        return s;
    }

    private String encode(ObjectNode payload, ObjectNode schema) {
        if (encoding == Encoding.PAYLOAD_ONLY) {
            return payload.toString();
        }
        ObjectNode withSchema = NODES.objectNode();
        withSchema.set("schema", schema);
        withSchema.set("payload", payload);
        return withSchema.toString();
    }

    private long peekOffset() {
        return nextOffset.getOrDefault(partition, 0L);
    }

    private ItemEventRecords add(String key, String value) {
        long offset = peekOffset();
        records.add(new ConsumerRecord<>(TOPIC, partition, offset, key, value));
        nextOffset.put(partition, offset + 1);
        return this;
    }
}
