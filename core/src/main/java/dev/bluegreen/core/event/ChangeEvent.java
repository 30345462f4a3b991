package dev.bluegreen.core.event;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.position.Position;

/**
 * One decoded change to one blue row, with canonical values.
 *
 * @param table the blue table (a partition's changes carry the partitioned root table)
 * @param op what happened
 * @param key the row's key columns (blue names); for TRUNCATE an empty row
 * @param after the row's new state for CREATE/UPDATE/READ (may hold
 *     {@link dev.bluegreen.core.value.Unavailable#VALUE} for unchanged TOAST values), else {@code null}
 * @param position blue's position of the change (commit LSN), or {@code null} for snapshot rows
 * @param commitTimeMs blue's commit time in ms since the epoch (Debezium {@code source.ts_ms})
 * @param lastSnapshotRowOfTable true on the snapshot's last row of this table (Debezium
 *     {@code source.snapshot} is {@code last_in_data_collection} or {@code last})
 */
public record ChangeEvent(TableId table, Op op, Row key, Row after, Position position, long commitTimeMs,
                          boolean lastSnapshotRowOfTable) {

    public ChangeEvent {
        requireNonNull(table, "table is null");
        requireNonNull(op, "op is null");
        requireNonNull(key, "key is null");
        if (op.hasAfter() && after == null) {
            throw new IllegalArgumentException(op + " event for " + table + " needs an after row");
        }
        if (!op.hasAfter() && after != null) {
            throw new IllegalArgumentException(op + " event for " + table + " must not carry an after row");
        }
    }
}
