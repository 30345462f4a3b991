package dev.bluegreen.capture;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;

/**
 * bluegreen's own "snapshot complete" marker. Debezium streams only after its snapshot, so when
 * capture sees the first streaming event of a run it writes this marker into every partition of
 * every table topic, before that event. Per-partition order then guarantees that a sink which has
 * applied the marker has applied all of that table's snapshot rows: unlike Debezium's per-record
 * markers, this also works for empty tables. A marker is a record with no key and the value
 * {@code {"bluegreen":"snapshot-complete","table":"<schema.table>"}}.
 */
public final class SnapshotMarkers {

    /** The value prefix that identifies a marker; the sink checks it before decoding. */
    public static final String PREFIX = "{\"bluegreen\":\"snapshot-complete\"";

    private SnapshotMarkers() {
    }

    /**
     * True when a Debezium JSON value is a streaming (not snapshot) change event. JSON escapes
     * quotes inside strings, so the unescaped {@code "snapshot":"false"} can only be the source
     * block's field.
     */
    static boolean isStreamingEvent(String value) {
        return value != null && value.contains("\"snapshot\":\"false\"");
    }

    /** The marker value for a table. */
    public static String value(String table) {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                .put("bluegreen", "snapshot-complete").put("table", table).toString();
    }

    /** True when a record value is a marker. */
    public static boolean isMarker(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    static List<Future<RecordMetadata>> publish(Producer<String, String> producer, Map<String, String> tableByTopic) {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (Map.Entry<String, String> e : tableByTopic.entrySet()) {
            for (PartitionInfo p : producer.partitionsFor(e.getKey())) {
                acks.add(producer.send(new ProducerRecord<>(e.getKey(), p.partition(), null, value(e.getValue()))));
            }
        }
        return acks;
    }
}
