package dev.bluegreen.cutover.finalcheck;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.core.event.ChangeEvent;
import dev.bluegreen.core.event.Markers;
import dev.bluegreen.core.event.Op;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.event.envelope.DebeziumEnvelopeDecoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The distinct blue keys that table-topic records name: what changed on blue in a stretch of the topics.
 * Each record is one of
 * <ul>
 *   <li>a change event (key = the blue key as JSON): its key, projected onto the table's key columns, is
 *       kept once per table, whatever the operation (an insert, update, delete or snapshot read all mean
 *       "compare this key");</li>
 *   <li>a tombstone (value {@code null}, after a delete): skipped, the delete before it named the key;</li>
 *   <li>a bluegreen marker ({@link Markers}, no key): skipped;</li>
 *   <li>a truncate event (no key, op {@code t}): the table is recorded as truncated, since its vanished rows
 *       have no keys in the topic.</li>
 * </ul>
 * Only the key of a change event is decoded, not its value. Not thread-safe.
 */
public final class ChangedKeys {

    private final Map<String, TableId> tableByTopic;
    private final Map<TableId, List<String>> keyColumns;
    private final DebeziumEnvelopeDecoder decoder;
    private final Map<TableId, Set<Row>> keys = new LinkedHashMap<>();
    private final Map<TableId, String> truncates = new LinkedHashMap<>();
    private long records;

    /**
     * @param tableByTopic the blue table each table topic carries
     * @param keyColumns the key columns of each blue table, in key order (the transform's blue key)
     * @param decoder decodes keys with blue's catalog
     */
    public ChangedKeys(Map<String, TableId> tableByTopic, Map<TableId, List<String>> keyColumns,
                       DebeziumEnvelopeDecoder decoder) {
        this.tableByTopic = Map.copyOf(tableByTopic);
        this.keyColumns = Map.copyOf(keyColumns);
        this.decoder = requireNonNull(decoder, "decoder is null");
    }

    /**
     * Takes one record.
     *
     * @throws BluegreenException (PARITY_MISMATCH) when the record's topic is not a table topic, its key cannot
     *     be decoded, or it has no key and is neither a marker nor a truncate: the row it changed cannot be named,
     *     so it cannot be checked
     */
    public void accept(ChangeRecord r) {
        records++;
        TableId table = tableByTopic.get(r.topic());
        if (table == null) {
            throw unreadable(r, "its topic carries none of the pipeline's tables");
        }
        if (r.value() == null || Markers.isWatermark(r.key(), r.value())
                || Markers.isSnapshotComplete(r.key(), r.value())) {
            return;
        }
        if (r.key() == null) {
            keyless(table, r);
            return;
        }
        Row key;
        try {
            key = decoder.decodeKey(table, r.key()).project(keyColumns.get(table));
        } catch (RuntimeException e) {
            throw unreadable(r, "its key " + r.key() + " cannot be read: " + e.getMessage());
        }
        keys.computeIfAbsent(table, t -> new LinkedHashSet<>()).add(key);
    }

    private void keyless(TableId table, ChangeRecord r) {
        ChangeEvent e;
        try {
            e = decoder.decode(null, r.value());
        } catch (RuntimeException ex) {
            throw unreadable(r, "it has no key and its value cannot be read: " + ex.getMessage());
        }
        if (e.op() != Op.TRUNCATE) {
            throw unreadable(r, "it has no key (op " + e.op() + ")");
        }
        truncates.putIfAbsent(table, r.position());
    }

    private static BluegreenException unreadable(ChangeRecord r, String why) {
        return new BluegreenException(ErrorCode.PARITY_MISMATCH, "the final check cannot name the row that record "
                + r.position() + " changed: " + why + "; the sink dead-letters such records (see bluegreen status)."
                + " Fix the cause, then run bluegreen verify again");
    }

    /** Adds a key carried over from an earlier pass (deferred there), as if a record had named it. */
    public void add(TableId table, Row key) {
        keys.computeIfAbsent(table, t -> new LinkedHashSet<>()).add(requireNonNull(key, "key is null"));
    }

    /** Tables with at least one changed key, in the order they were first seen. */
    public List<TableId> tables() {
        return new ArrayList<>(keys.keySet());
    }

    /** The distinct changed keys of a table (blue key columns), in the order first seen; empty when none. */
    public List<Row> keys(TableId table) {
        Set<Row> k = keys.get(table);
        return k == null ? List.of() : new ArrayList<>(k);
    }

    /** Distinct changed keys over all tables. */
    public long distinctKeys() {
        return keys.values().stream().mapToLong(Set::size).sum();
    }

    /** Records taken so far, of every kind. */
    public long records() {
        return records;
    }

    /** Tables truncated on blue, each with the position of its first truncate event. */
    public Map<TableId, String> truncates() {
        return Map.copyOf(truncates);
    }
}
