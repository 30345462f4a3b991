package dev.bluegreen.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bluegreen.core.event.Markers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;

/**
 * Writes bluegreen's {@link Markers} into every partition of every table topic: the
 * snapshot-complete marker when streaming begins (Debezium's own per-record markers miss empty and
 * one-row tables) and a watermark after every heartbeat read from blue. The producer keeps
 * per-partition order, so a marker follows every record sent to its partition before it. Not
 * thread-safe: used from capture's single engine thread.
 */
final class CaptureMarkers {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Producer<String, String> producer;
    private final Map<String, String> tableByTopic;
    private final String heartbeatTopic;

    /**
     * @param tableByTopic every table topic with its blue table ({@code schema.table}), the heartbeat
     *     table's included
     * @param heartbeatTopic the topic of blue's heartbeat table
     */
    CaptureMarkers(Producer<String, String> producer, Map<String, String> tableByTopic, String heartbeatTopic) {
        this.producer = producer;
        this.tableByTopic = Map.copyOf(tableByTopic);
        this.heartbeatTopic = heartbeatTopic;
    }

    /**
     * True when a Debezium JSON value is a streaming (not snapshot) change event: its source block's
     * {@code snapshot} is {@code "false"} or {@code null} (what a streamed event carries under
     * {@code replace.null.with.default=false}: Debezium leaves the field unset and its schema default
     * is {@code "false"}). The search starts at the source block: the row images come before it in
     * the envelope, and a column named {@code snapshot} there must not decide; JSON escapes quotes
     * inside strings, so the unescaped {@code "source":{} can only be the block itself.
     */
    static boolean isStreamingEvent(String value) {
        if (value == null) {
            return false;
        }
        int source = value.indexOf("\"source\":{");
        int field = source < 0 ? -1 : value.indexOf("\"snapshot\":", source);
        if (field < 0) {
            return false;
        }
        int at = field + "\"snapshot\":".length();
        return value.startsWith("\"false\"", at) || value.startsWith("null", at);
    }

    boolean isHeartbeat(String topic) {
        return heartbeatTopic.equals(topic);
    }

    /** Sends the snapshot-complete marker of each table into each of its topic's partitions. */
    List<Future<RecordMetadata>> snapshotComplete() {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (Map.Entry<String, String> e : tableByTopic.entrySet()) {
            acks.addAll(toEveryPartition(e.getKey(), Markers.snapshotComplete(e.getValue())));
        }
        return acks;
    }

    /**
     * Sends a watermark for a streamed heartbeat event into every partition of every table topic
     * (the heartbeat topic itself excluded).
     *
     * @param heartbeatValue the heartbeat's Debezium JSON value (no Connect schema)
     * @return the sends, or an empty list when the value is no update of the heartbeat row
     * @throws IOException when the value is not JSON
     */
    List<Future<RecordMetadata>> watermark(String heartbeatValue) throws IOException {
        Markers.Watermark w = watermarkOf(heartbeatValue);
        if (w == null) {
            return List.of();
        }
        String marker = Markers.watermark(w);
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (String topic : tableByTopic.keySet()) {
            if (!topic.equals(heartbeatTopic)) {
                acks.addAll(toEveryPartition(topic, marker));
            }
        }
        return acks;
    }

    /** The heartbeat row's beats, commit time and LSN, or null for anything but an insert/update of it. */
    static Markers.Watermark watermarkOf(String heartbeatValue) throws IOException {
        if (heartbeatValue == null) {
            return null;
        }
        JsonNode v = JSON.readTree(heartbeatValue);
        if (v.has("payload") && v.has("schema")) {
            v = v.get("payload");
        }
        JsonNode beats = v.path("after").path("beats");
        JsonNode source = v.path("source");
        if (!beats.canConvertToLong() || !source.path("ts_ms").canConvertToLong()) {
            return null;
        }
        JsonNode lsn = source.get("lsn");
        return new Markers.Watermark(beats.asLong(), source.get("ts_ms").asLong(),
                lsn == null || lsn.isNull() ? null : lsnText(lsn.asLong()));
    }

    /** PostgreSQL's text form of an LSN ({@code XXX/XXX} hex), as pg_lsn prints it. */
    static String lsnText(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }

    private List<Future<RecordMetadata>> toEveryPartition(String topic, String value) {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (PartitionInfo p : producer.partitionsFor(topic)) {
            acks.add(producer.send(new ProducerRecord<>(topic, p.partition(), null, value)));
        }
        return acks;
    }
}
