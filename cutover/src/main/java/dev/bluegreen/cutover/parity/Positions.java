package dev.bluegreen.cutover.parity;

import dev.bluegreen.core.dialect.Engine;

import dev.bluegreen.core.position.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Reads where blue and green stand: blue's current WAL position (none for a MariaDB blue), the sink's stored Kafka offsets and
 * the newest heartbeat it applied. Stateless.
 */
public final class Positions {

    private Positions() {
    }

    /**
     * Reads both sides; green's parts are empty when its control schema has no rows for the pipeline.
     *
     * @throws SQLException when blue fails
     */
    public static ParityPositions read(DataSource blue, DataSource green, String pipeline) throws SQLException {
        Lsn lsn = null;
        try (Connection c = blue.getConnection()) {
            // a MariaDB blue has no LSN (its binlog position is not a pg_lsn): none is recorded
            if (Engine.ofUrl(c.getMetaData().getURL()) != Engine.MARIADB) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                    rs.next();
                    lsn = Lsn.parse(rs.getString(1));
                }
            }
        }
        Map<String, Long> offsets = new HashMap<>();
        long applied = -1;
        try (Connection c = green.getConnection()) {
            offsets.putAll(sinkOffsets(c, pipeline));
            try (PreparedStatement ps = c.prepareStatement("SELECT blue_commit_ms FROM bluegreen.lag WHERE pipeline = ?")) {
                ps.setString(1, pipeline);
                try (ResultSet rs = ps.executeQuery()) {
                    applied = rs.next() ? rs.getLong(1) : -1;
                }
            }
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState()) && !"3F000".equals(e.getSQLState())) {
                throw e; // anything but "no control schema yet"
            }
        }
        return new ParityPositions(lsn, offsets, applied);
    }

    /**
     * The sink's next Kafka offsets stored in green, {@code "topic/partition"} to offset (every topic the
     * sink consumes, the heartbeat topic included).
     *
     * @throws SQLException when green fails (SQLState 42P01 or 3F000 when the control schema is missing)
     */
    public static Map<String, Long> sinkOffsets(Connection green, String pipeline) throws SQLException {
        Map<String, Long> offsets = new HashMap<>();
        try (PreparedStatement ps = green.prepareStatement(
                "SELECT topic, kafka_partition, next_offset FROM bluegreen.sink_offset WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    offsets.put(rs.getString(1) + "/" + rs.getInt(2), rs.getLong(3));
                }
            }
        }
        return offsets;
    }
}
