package dev.bluegreen.sink.batch;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Builds Kafka records holding Debezium envelopes (JSON without Connect schemas, as capture
 * publishes them) for the test table {@code public.items(id integer primary key, name text,
 * qty integer)}, with increasing offsets on one partition. A plain builder, not a test base.
 */
final class ChangeEventRecords {

    static final String TOPIC = "bluegreen.t.public.items";
    static final String PLACEHOLDER = "__debezium_unavailable_value";

    private final List<ConsumerRecord<String, String>> records = new ArrayList<>();
    private long offset;

    ChangeEventRecords insert(int id, String name, int qty) {
        return event(id, "c", row(id, name, qty), "false", "public", "items");
    }

    ChangeEventRecords update(int id, String name, int qty) {
        return event(id, "u", row(id, name, qty), "false", "public", "items");
    }

    /** An update whose {@code name} is an unchanged TOAST value (Debezium's placeholder). */
    ChangeEventRecords updateWithUnchangedToast(int id, int qty) {
        return event(id, "u", "{\"id\":" + id + ",\"name\":\"" + PLACEHOLDER + "\",\"qty\":" + qty + "}", "false",
                "public", "items");
    }

    ChangeEventRecords snapshotRead(int id, String name, int qty, String marker) {
        return event(id, "r", row(id, name, qty), marker, "public", "items");
    }

    /** A delete (before-image: key plus dummy values) followed by its tombstone. */
    ChangeEventRecords delete(int id) {
        add(key(id), "{\"before\":" + row(id, "", 0) + ",\"after\":null,\"source\":" + source("false", "public", "items")
                + ",\"op\":\"d\"}");
        return add(key(id), null);
    }

    ChangeEventRecords truncate() {
        return add(null, "{\"source\":" + source("false", "public", "items") + ",\"op\":\"t\"}");
    }

    ChangeEventRecords heartbeat(long commitMs) {
        return add("{\"pipeline\":\"t\"}", "{\"before\":null,\"after\":{\"pipeline\":\"t\",\"beat_at\":"
                + "\"2026-01-01T00:00:00Z\",\"beats\":1},\"source\":{\"ts_ms\":" + commitMs + ",\"snapshot\":\"false\","
                + "\"schema\":\"bluegreen\",\"table\":\"heartbeat\"},\"op\":\"u\"}");
    }

    ChangeEventRecords garbage() {
        return add("{\"id\":1}", "{not json");
    }

    List<ConsumerRecord<String, String>> build() {
        return List.copyOf(records);
    }

    private ChangeEventRecords event(int id, String op, String after, String snapshot, String schema, String table) {
        return add(key(id), "{\"before\":null,\"after\":" + after + ",\"source\":" + source(snapshot, schema, table)
                + ",\"op\":\"" + op + "\"}");
    }

    private static String row(int id, String name, int qty) {
        return "{\"id\":" + id + ",\"name\":\"" + name + "\",\"qty\":" + qty + "}";
    }

    private static String key(int id) {
        return "{\"id\":" + id + "}";
    }

    private String source(String snapshot, String schema, String table) {
        return "{\"ts_ms\":" + (1000 + offset) + ",\"snapshot\":\"" + snapshot + "\",\"schema\":\"" + schema
                + "\",\"table\":\"" + table + "\",\"lsn\":" + (100 + offset) + "}";
    }

    private ChangeEventRecords add(String key, String value) {
        records.add(new ConsumerRecord<>(TOPIC, 0, offset++, key, value));
        return this;
    }
}
