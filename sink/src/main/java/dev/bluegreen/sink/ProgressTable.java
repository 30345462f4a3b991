package dev.bluegreen.sink;

import dev.bluegreen.core.event.Markers;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.sink.batch.TableProgress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Writes per-table progress, the heartbeat lag and per-partition watermarks to green's control schema, inside the batch's
 * transaction. Stateless.
 */
final class ProgressTable {

    private final String pipeline;

    ProgressTable(String pipeline) {
        this.pipeline = pipeline;
    }

    void write(Connection c, Map<TableId, TableProgress> progress, long nowMs) throws SQLException {
        if (progress.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO bluegreen.table_progress AS p (pipeline, blue_table,"
                + " snapshot_rows, events_applied, last_commit_ms, last_apply_ms, snapshot_done)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (pipeline, blue_table) DO UPDATE SET"
                + " snapshot_rows = p.snapshot_rows + EXCLUDED.snapshot_rows,"
                + " events_applied = p.events_applied + EXCLUDED.events_applied,"
                + " last_commit_ms = GREATEST(p.last_commit_ms, EXCLUDED.last_commit_ms),"
                + " last_apply_ms = EXCLUDED.last_apply_ms,"
                + " snapshot_done = p.snapshot_done OR EXCLUDED.snapshot_done")) {
            for (Map.Entry<TableId, TableProgress> e : progress.entrySet()) {
                TableProgress p = e.getValue();
                ps.setString(1, pipeline);
                ps.setString(2, e.getKey().toString());
                ps.setLong(3, p.snapshotRows());
                ps.setLong(4, p.events());
                ps.setLong(5, p.lastCommitMs());
                ps.setLong(6, nowMs);
                ps.setBoolean(7, p.snapshotDone());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    void writeLag(Connection c, long heartbeatCommitMs, long nowMs) throws SQLException {
        if (heartbeatCommitMs <= 0) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO bluegreen.lag (pipeline, blue_commit_ms,"
                + " applied_ms, lag_ms) VALUES (?, ?, ?, ?) ON CONFLICT (pipeline) DO UPDATE SET"
                + " blue_commit_ms = EXCLUDED.blue_commit_ms, applied_ms = EXCLUDED.applied_ms, lag_ms = EXCLUDED.lag_ms")) {
            ps.setString(1, pipeline);
            ps.setLong(2, heartbeatCommitMs);
            ps.setLong(3, nowMs);
            ps.setLong(4, Math.max(0, nowMs - heartbeatCommitMs));
            ps.executeUpdate();
        }
    }

    /**
     * Stores each partition's newest applied watermark; never moves one back (a redelivered older
     * marker leaves the row as it is).
     */
    void writeWatermarks(Connection c, Map<TopicPartition, Markers.Watermark> watermarks) throws SQLException {
        if (watermarks.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO bluegreen.watermark (pipeline, topic,"
                + " kafka_partition, beats, blue_commit_ms, blue_lsn, applied_at) VALUES (?, ?, ?, ?, ?, ?, now())"
                + " ON CONFLICT (pipeline, topic, kafka_partition) DO UPDATE SET beats = EXCLUDED.beats,"
                + " blue_commit_ms = EXCLUDED.blue_commit_ms, blue_lsn = EXCLUDED.blue_lsn, applied_at = now()"
                + " WHERE bluegreen.watermark.beats <= EXCLUDED.beats")) {
            for (Map.Entry<TopicPartition, Markers.Watermark> e : watermarks.entrySet()) {
                ps.setString(1, pipeline);
                ps.setString(2, e.getKey().topic());
                ps.setInt(3, e.getKey().partition());
                ps.setLong(4, e.getValue().beats());
                ps.setLong(5, e.getValue().blueCommitMs());
                ps.setString(6, e.getValue().blueLsn());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
