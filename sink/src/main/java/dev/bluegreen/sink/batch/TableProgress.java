package dev.bluegreen.sink.batch;

/**
 * What one batch did for one blue table, added to {@code bluegreen.table_progress}. Mutable
 * accumulator used by one thread.
 */
public final class TableProgress {

    long snapshotRows;
    long events;
    long lastCommitMs;
    boolean snapshotDone;

    /** Snapshot rows in this batch (rows). */
    public long snapshotRows() {
        return snapshotRows;
    }

    /** Change events (including snapshot rows) in this batch. */
    public long events() {
        return events;
    }

    /** Blue commit time of the latest event, ms since the epoch (0 when none). */
    public long lastCommitMs() {
        return lastCommitMs;
    }

    /** True when the batch held the table's last snapshot row. */
    public boolean snapshotDone() {
        return snapshotDone;
    }
}
