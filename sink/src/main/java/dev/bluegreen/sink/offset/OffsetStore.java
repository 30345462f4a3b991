package dev.bluegreen.sink.offset;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The sink's consumer positions, kept in green ({@code bluegreen.sink_offset}) and written in the
 * same transaction as the rows they cover, so a crash can neither skip nor re-apply a committed
 * batch (design property 3). Stateless; callers pass the connection and own its transaction.
 */
public final class OffsetStore {

    private final String pipeline;

    /** @param pipeline the pipeline name the offsets belong to */
    public OffsetStore(String pipeline) {
        this.pipeline = pipeline;
    }

    /**
     * Reads the next offset to consume for each partition that has one stored.
     *
     * @throws SQLException when green fails
     */
    public Map<TopicPartition, Long> load(Connection c, Collection<TopicPartition> partitions) throws SQLException {
        Map<TopicPartition, Long> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT next_offset FROM bluegreen.sink_offset WHERE pipeline = ? AND topic = ? AND kafka_partition = ?")) {
            for (TopicPartition tp : partitions) {
                ps.setString(1, pipeline);
                ps.setString(2, tp.topic());
                ps.setInt(3, tp.partition());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        out.put(tp, rs.getLong(1));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Stores the next offsets (last applied + 1) inside the caller's transaction.
     *
     * @throws SQLException when green fails
     */
    public void save(Connection c, Map<TopicPartition, Long> nextOffsets) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO bluegreen.sink_offset (pipeline, topic, kafka_partition, next_offset) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (pipeline, topic, kafka_partition) DO UPDATE SET next_offset = EXCLUDED.next_offset")) {
            for (Map.Entry<TopicPartition, Long> e : nextOffsets.entrySet()) {
                ps.setString(1, pipeline);
                ps.setString(2, e.getKey().topic());
                ps.setInt(3, e.getKey().partition());
                ps.setLong(4, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
