package dev.bluegreen.core.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * bluegreen's own records in the table topics, next to Debezium's change events. Capture writes
 * them into EVERY partition of every table topic; Kafka keeps per-partition order, so a sink that
 * has applied a marker in a partition has applied everything capture sent to that partition before
 * it. Markers have no key and a JSON value starting with {@code {"bluegreen":"<kind>"}}.
 *
 * <ul>
 *   <li>{@code snapshot-complete}: {@code {"bluegreen":"snapshot-complete","table":"<schema.table>"}},
 *       written when streaming begins; every snapshot row of the table precedes it.</li>
 *   <li>{@code watermark}: {@code {"bluegreen":"watermark","beats":N,"commit_ms":T,"lsn":"0/16B3748"}},
 *       written each time capture reads a heartbeat (or a cutover fence) from blue's
 *       {@code bluegreen.heartbeat} table: every blue change committed before that heartbeat precedes
 *       it. {@code beats} is the heartbeat row's counter, {@code commit_ms} its blue commit time (epoch
 *       ms), {@code lsn} its blue position.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class Markers {

    private static final String SNAPSHOT_COMPLETE_PREFIX = "{\"bluegreen\":\"snapshot-complete\"";
    private static final String WATERMARK_PREFIX = "{\"bluegreen\":\"watermark\"";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Markers() {
    }

    /**
     * A heartbeat's position on blue.
     *
     * @param beats the heartbeat counter on blue (increases by one per heartbeat or fence)
     * @param blueCommitMs blue commit time, epoch ms
     * @param blueLsn blue position (PostgreSQL LSN text form), or null when unknown
     */
    public record Watermark(long beats, long blueCommitMs, String blueLsn) {
        /** The later of two watermarks (by beats); either may be null. */
        public static Watermark max(Watermark a, Watermark b) {
            if (a == null) {
                return b;
            }
            return b == null || a.beats >= b.beats ? a : b;
        }
    }

    /** The snapshot-complete marker of a table ({@code schema.table}). */
    public static String snapshotComplete(String table) {
        return JSON.createObjectNode().put("bluegreen", "snapshot-complete").put("table", table).toString();
    }

    /** True for a snapshot-complete marker value. */
    public static boolean isSnapshotComplete(String key, String value) {
        return key == null && value != null && value.startsWith(SNAPSHOT_COMPLETE_PREFIX);
    }

    /**
     * The table named by a snapshot-complete marker.
     *
     * @throws IllegalArgumentException when the value is not a readable marker
     */
    public static TableId snapshotCompleteTable(String value) {
        return TableId.parse(read(value).path("table").asText());
    }

    /** The watermark marker value. */
    public static String watermark(Watermark w) {
        ObjectNode n = JSON.createObjectNode().put("bluegreen", "watermark").put("beats", w.beats())
                .put("commit_ms", w.blueCommitMs());
        if (w.blueLsn() != null) {
            n.put("lsn", w.blueLsn());
        }
        return n.toString();
    }

    /** True for a watermark marker value. */
    public static boolean isWatermark(String key, String value) {
        return key == null && value != null && value.startsWith(WATERMARK_PREFIX);
    }

    /**
     * Reads a watermark marker.
     *
     * @throws IllegalArgumentException when the value is not a readable watermark marker
     */
    public static Watermark parseWatermark(String value) {
        JsonNode n = read(value);
        if (!n.path("beats").canConvertToLong() || !n.path("commit_ms").canConvertToLong()) {
            throw new IllegalArgumentException("watermark marker without numeric beats/commit_ms: " + value);
        }
        JsonNode lsn = n.get("lsn");
        return new Watermark(n.get("beats").asLong(), n.get("commit_ms").asLong(),
                lsn == null || lsn.isNull() ? null : lsn.asText());
    }

    private static JsonNode read(String value) {
        try {
            return JSON.readTree(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable bluegreen marker: " + e.getOriginalMessage(), e);
        }
    }
}
