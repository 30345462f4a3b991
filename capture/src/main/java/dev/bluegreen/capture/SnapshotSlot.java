package dev.bluegreen.capture;

import dev.bluegreen.core.config.EndpointConfig;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.ReplicationSlotInfo;

/**
 * The consistent point of a backfill on PostgreSQL: a logical replication slot (pgoutput) created over a
 * replication connection with an exported snapshot, as PostgreSQL's own table synchronisation and
 * pgcopydb do (https://www.postgresql.org/docs/15/protocol-replication.html, {@code CREATE_REPLICATION_SLOT
 * ... LOGICAL}). The snapshot shows exactly the data committed before the slot's consistent point, and
 * the slot streams exactly the changes committed after it; so copying in the snapshot and then streaming
 * from the slot (Debezium with no data snapshot, on this existing slot) misses nothing and repeats nothing.
 *
 * <p>The exported snapshot can be imported ({@code SET TRANSACTION SNAPSHOT}) only while this object
 * is open: the replication connection must stay idle and open until every reader has imported it.
 * Closing releases it; the slot stays (Debezium then uses it). Not thread-safe.
 */
public final class SnapshotSlot implements AutoCloseable {

    private final Connection replication;
    private final String slotName;
    private final String snapshotName;
    private final String consistentPoint;

    private SnapshotSlot(Connection replication, String slotName, String snapshotName, String consistentPoint) {
        this.replication = replication;
        this.slotName = slotName;
        this.snapshotName = snapshotName;
        this.consistentPoint = consistentPoint;
    }

    /**
     * Creates the slot and exports its snapshot.
     *
     * @throws BluegreenException BLUE_UNAVAILABLE when blue refuses (the message says why: a slot of that
     *     name exists, no replication privilege, {@code max_replication_slots} or {@code max_wal_senders}
     *     reached, {@code wal_level} not logical)
     */
    public static SnapshotSlot create(EndpointConfig blue, String slotName) {
        Properties props = new Properties();
        PGProperty.USER.set(props, blue.user());
        if (blue.password() != null) {
            PGProperty.PASSWORD.set(props, blue.password());
        }
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        Connection c = null;
        try {
            c = DriverManager.getConnection(blue.jdbcUrl(), props);
            ReplicationSlotInfo info = c.unwrap(PGConnection.class).getReplicationAPI().createReplicationSlot()
                    .logical().withSlotName(slotName).withOutputPlugin("pgoutput").make();
            if (info.getSnapshotName() == null) {
                throw new SQLException("blue created slot " + slotName + " without exporting a snapshot");
            }
            return new SnapshotSlot(c, slotName, info.getSnapshotName(), info.getConsistentPoint().asString());
        } catch (SQLException e) {
            closeQuietly(c);
            throw new BluegreenException(ErrorCode.BLUE_UNAVAILABLE, "creating replication slot " + slotName
                    + " with an exported snapshot on blue failed: " + e.getMessage() + " (SQLState " + e.getSQLState()
                    + "); the blue user needs the REPLICATION attribute, blue needs wal_level=logical and a free"
                    + " replication slot and WAL sender (max_replication_slots, max_wal_senders)", e);
        }
    }

    /**
     * Whether a replication slot of that name exists on blue.
     *
     * @throws SQLException when blue fails
     */
    public static boolean exists(Connection blue, String slotName) throws SQLException {
        try (PreparedStatement ps = blue.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Drops the slot, waiting up to 10 s for a consumer that still holds it to let go.
     *
     * @throws SQLException when blue fails or the slot stays in use
     */
    public static void drop(Connection blue, String slotName) throws SQLException {
        try (PreparedStatement ps = blue.prepareStatement("SELECT pg_drop_replication_slot(slot_name)"
                + " FROM pg_replication_slots WHERE slot_name = ? AND NOT active")) {
            for (int i = 0; i < 100; i++) {
                ps.setString(1, slotName);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() || !exists(blue, slotName)) {
                        return;
                    }
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new SQLException("replication slot " + slotName + " is still in use after 10 s");
    }

    /** The slot's name. */
    public String slotName() {
        return slotName;
    }

    /** The exported snapshot's name, for {@code SET TRANSACTION SNAPSHOT}. */
    public String snapshotName() {
        return snapshotName;
    }

    /** The slot's consistent point, an LSN as {@code X/Y}. */
    public String consistentPoint() {
        return consistentPoint;
    }

    /** Releases the exported snapshot (the slot stays). Idempotent. */
    @Override
    public void close() {
        closeQuietly(replication);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the server ends the walsender with the connection anyway
            }
        }
    }
}
