package dev.bluegreen.sink.deadletter;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Writes dead letters to green's {@code bluegreen.dead_letter} table inside the caller's
 * transaction (with the batch's offsets), so a dead-lettered event is recorded exactly once.
 * Stateless.
 */
public final class DeadLetterTable {

    private final String pipeline;

    /** @param pipeline the pipeline name rows are recorded under */
    public DeadLetterTable(String pipeline) {
        this.pipeline = pipeline;
    }

    /**
     * Inserts the dead letters.
     *
     * @throws SQLException when green fails
     */
    public void write(Connection c, List<DeadLetter> letters) throws SQLException {
        if (letters.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO bluegreen.dead_letter (pipeline, blue_table, topic,"
                + " kafka_partition, kafka_offset, event_key, raw_event, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (DeadLetter d : letters) {
                ps.setString(1, pipeline);
                ps.setString(2, d.blueTable());
                ps.setString(3, d.topic());
                ps.setInt(4, d.partition());
                ps.setLong(5, d.offset());
                ps.setString(6, d.rawKey());
                ps.setString(7, d.rawValue());
                ps.setString(8, d.error());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Counts this pipeline's dead letters (rows).
     *
     * @throws SQLException when green fails
     */
    public long count(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM bluegreen.dead_letter WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
