package dev.bluegreen.sink.batch;

import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.event.ChangeEvent;
import dev.bluegreen.core.event.Markers;
import dev.bluegreen.core.event.Op;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.event.envelope.DebeziumEnvelopeDecoder;
import dev.bluegreen.core.value.Unavailable;
import dev.bluegreen.sink.deadletter.DeadLetter;
import dev.bluegreen.transform.MappedRow;
import dev.bluegreen.transform.RowTransform;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Turns consumed Kafka records into a {@link BatchPlan}: decode, transform, then reduce.
 *
 * <p>Ordering invariants (design property 2): records of one partition arrive in offset order and
 * one partition owns a key, so the last event for a green key in the batch is its net effect; that
 * is the one action kept. An upsert whose columns are {@link Unavailable} (unchanged TOAST) takes
 * those values from an earlier upsert of the same key in the batch when there is one, so merging
 * never drops a real value. A truncate closes the current segment: everything before it is applied
 * first. A record that cannot be decoded or transformed becomes a dead letter and nothing else.
 *
 * <p>Not thread-safe; one planner per sink thread.
 */
public final class BatchPlanner {

    private final DebeziumEnvelopeDecoder decoder;
    private final Map<TableId, RowTransform> transforms;
    private final TableId heartbeatTable;

    /**
     * @param transforms the compiled mapping of each blue table
     * @param heartbeatTable blue's heartbeat table, whose events only feed the lag measure
     */
    public BatchPlanner(DebeziumEnvelopeDecoder decoder, Map<TableId, RowTransform> transforms, TableId heartbeatTable) {
        this.decoder = decoder;
        this.transforms = Map.copyOf(transforms);
        this.heartbeatTable = heartbeatTable;
    }

    /** Plans one batch; never throws for a bad record (it becomes a dead letter). */
    public BatchPlan plan(List<ConsumerRecord<String, String>> records) {
        List<BatchPlan.Segment> segments = new ArrayList<>();
        List<DeadLetter> deadLetters = new ArrayList<>();
        Map<TableId, TableProgress> progress = new HashMap<>();
        Map<TopicPartition, Long> next = new HashMap<>();
        Map<GreenKey, GreenAction> current = new LinkedHashMap<>();
        Map<TopicPartition, Markers.Watermark> watermarks = new HashMap<>();
        long heartbeat = 0;
        for (ConsumerRecord<String, String> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            next.put(tp, r.offset() + 1);
            EventSource source = new EventSource("?", r.topic(), r.partition(), r.offset(), r.key(), r.value());
            if (Markers.isSnapshotComplete(r.key(), r.value())) {
                snapshotComplete(r.value(), progress, deadLetters, source, heartbeatTable);
                continue;
            }
            if (Markers.isWatermark(r.key(), r.value())) {
                try {
                    watermarks.merge(tp, Markers.parseWatermark(r.value()), Markers.Watermark::max);
                } catch (IllegalArgumentException e) {
                    deadLetters.add(source.deadLetter(e.getMessage()));
                }
                continue;
            }
            ChangeEvent event;
            try {
                event = decoder.decode(r.key(), r.value());
            } catch (BluegreenException | IllegalArgumentException e) {
                deadLetters.add(source.deadLetter(e.getMessage()));
                continue;
            }
            if (event == null) {
                continue; // tombstone: the delete event before it carried the change
            }
            source = new EventSource(event.table().toString(), r.topic(), r.partition(), r.offset(), r.key(), r.value());
            if (event.table().equals(heartbeatTable)) {
                heartbeat = Math.max(heartbeat, event.commitTimeMs());
                continue;
            }
            RowTransform transform = transforms.get(event.table());
            if (transform == null) {
                deadLetters.add(source.deadLetter("no mapping for blue table " + event.table()));
                continue;
            }
            count(progress.computeIfAbsent(event.table(), t -> new TableProgress()), event);
            if (event.op() == Op.TRUNCATE) {
                closeSegment(segments, current);
                segments.add(new BatchPlan.Truncate(
                        transform.targets().stream().map(t -> t.table()).toList(), source));
                continue;
            }
            try {
                for (GreenAction a : actions(event, transform, source)) {
                    put(current, a, transform);
                }
            } catch (BluegreenException | IllegalArgumentException e) {
                deadLetters.add(source.deadLetter(e.getMessage()));
            }
        }
        closeSegment(segments, current);
        return new BatchPlan(segments, deadLetters, progress, heartbeat, watermarks, next);
    }

    private static void snapshotComplete(String value, Map<TableId, TableProgress> progress, List<DeadLetter> dead,
                                         EventSource source, TableId heartbeatTable) {
        try {
            TableId table = Markers.snapshotCompleteTable(value);
            if (!table.equals(heartbeatTable)) {
                progress.computeIfAbsent(table, t -> new TableProgress()).snapshotDone = true;
            }
        } catch (IllegalArgumentException e) {
            dead.add(source.deadLetter("unreadable snapshot-complete marker: " + e.getMessage()));
        }
    }

    private static void count(TableProgress p, ChangeEvent e) {
        p.events++;
        if (e.op() == Op.READ) {
            p.snapshotRows++;
        }
        p.lastCommitMs = Math.max(p.lastCommitMs, e.commitTimeMs());
        p.snapshotDone |= e.lastSnapshotRowOfTable();
    }

    private static List<GreenAction> actions(ChangeEvent e, RowTransform transform, EventSource source) {
        List<GreenAction> out = new ArrayList<>();
        if (e.op().hasAfter()) {
            List<MappedRow> rows = transform.map(e.after());
            if (!rows.isEmpty()) {
                rows.forEach(m -> out.add(new GreenAction.Upsert(m.table(), m.row(), source)));
                return out;
            }
            // the filter rejects the row: it must not be in green (an update may have moved it out)
            transform.mapKey(e.after().project(transform.blueKeyColumns()))
                    .forEach(m -> out.add(new GreenAction.Delete(m.table(), m.row(), source)));
            return out;
        }
        Row key = e.key().size() > 0 ? e.key() : null;
        if (key == null) {
            throw new BluegreenException(dev.bluegreen.core.error.ErrorCode.ROW_CONVERSION_FAILED,
                    "delete event for " + e.table() + " carries no key; the table needs a primary key or"
                            + " REPLICA IDENTITY on its declared key");
        }
        transform.mapKey(key.project(transform.blueKeyColumns()))
                .forEach(m -> out.add(new GreenAction.Delete(m.table(), m.row(), source)));
        return out;
    }

    private static void put(Map<GreenKey, GreenAction> current, GreenAction action, RowTransform transform) {
        GreenKey key = GreenKey.of(action, transform);
        GreenAction previous = current.remove(key); // re-insert at the end: order of last change
        if (action instanceof GreenAction.Upsert up && up.hasUnavailable()
                && previous instanceof GreenAction.Upsert before) {
            action = new GreenAction.Upsert(up.table(), fill(up.row(), before.row()), up.source());
        }
        current.put(key, action);
    }

    private static Row fill(Row row, Row earlier) {
        List<Object> values = new ArrayList<>(row.values());
        for (int i = 0; i < values.size(); i++) {
            String c = row.columns().get(i);
            if (values.get(i) == Unavailable.VALUE && earlier.has(c)) {
                values.set(i, earlier.get(c));
            }
        }
        return Row.of(row.columns(), values);
    }

    private static void closeSegment(List<BatchPlan.Segment> segments, Map<GreenKey, GreenAction> current) {
        if (!current.isEmpty()) {
            segments.add(new BatchPlan.Changes(new ArrayList<>(current.values())));
            current.clear();
        }
    }

    /** A green row's identity: table plus key values. */
    private record GreenKey(TableId table, Row key) {
        static GreenKey of(GreenAction a, RowTransform transform) {
            List<String> keyColumns = transform.targets().stream()
                    .filter(t -> t.table().equals(a.table())).findFirst().orElseThrow().keyColumns();
            Row row = a instanceof GreenAction.Delete d ? d.key() : ((GreenAction.Upsert) a).row();
            return new GreenKey(a.table(), row.project(keyColumns));
        }
    }
}
