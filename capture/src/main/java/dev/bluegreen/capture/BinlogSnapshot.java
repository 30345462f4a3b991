package dev.bluegreen.capture;

import dev.bluegreen.core.config.EndpointConfig;
import dev.bluegreen.core.dialect.mariadb.MariaDbValueReader;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.core.position.BinlogPosition;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consistent point of a backfill on a MariaDB blue: reader sessions whose InnoDB snapshots all show
 * blue at one binlog position, the way mydumper and Debezium's own MariaDB snapshot get one. A lock session
 * takes {@code FLUSH TABLES WITH READ LOCK}, which waits for running writes and holds new commits; every
 * reader then opens {@code START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY}; the position is read
 * ({@code SHOW MASTER STATUS}, and {@code BINLOG_GTID_POS} for its GTID position) and the lock is released.
 * Writes on blue wait for the few milliseconds this takes. Each reader also checks MariaDB's own record of
 * where its snapshot stands in the binlog ({@code binlog_snapshot_file}, {@code binlog_snapshot_position},
 * https://mariadb.com/kb/en/enhancements-for-start-transaction-with-consistent-snapshot/): a mismatch fails
 * the start. Without the RELOAD privilege the lock is refused; then one reader alone takes its snapshot
 * without any lock, and its binlog snapshot position is the consistent point.
 *
 * <p>Changes committed after the position are exactly those the binlog holds after it, so copying in these
 * snapshots and then streaming from the position misses nothing and repeats nothing.
 *
 * <p>Readers are handed out by {@link #take}; {@link #close} closes those not taken. Thread-safe.
 */
public final class BinlogSnapshot implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BinlogSnapshot.class);

    /** MariaDB's error code for a missing privilege (ER_SPECIFIC_ACCESS_DENIED_ERROR). */
    private static final int ACCESS_DENIED = 1227;

    private final BinlogPosition position;
    private final Deque<Connection> readers;
    private final long lockMs;

    private BinlogSnapshot(BinlogPosition position, List<Connection> readers, long lockMs) {
        this.position = position;
        this.readers = new ArrayDeque<>(readers);
        this.lockMs = lockMs;
    }

    /**
     * Opens {@code readers} sessions at one consistent point (one when the lock is refused).
     *
     * @param lockWaitSeconds how long (s) the lock may wait for running statements before the start fails
     * @throws BluegreenException BLUE_UNAVAILABLE when blue refuses or fails (the message names the statement
     *     and the privilege or setting to fix); nothing stays locked
     */
    public static BinlogSnapshot open(EndpointConfig blue, int readers, int lockWaitSeconds) {
        List<Connection> opened = new ArrayList<>();
        Connection lock = null;
        try {
            lock = connect(blue);
            boolean locked;
            long t0 = System.nanoTime();
            try (Statement st = lock.createStatement()) {
                st.execute("SET SESSION lock_wait_timeout = " + Math.max(1, lockWaitSeconds));
                st.execute("FLUSH TABLES WITH READ LOCK");
                locked = true;
            } catch (SQLException e) {
                if (e.getErrorCode() != ACCESS_DENIED) {
                    throw e;
                }
                LOG.warn("blue refused FLUSH TABLES WITH READ LOCK ({}): the backfill reads with one session; grant"
                        + " RELOAD to the blue user for parallel reads", e.getMessage());
                locked = false;
            }
            int n = locked ? Math.max(1, readers) : 1;
            for (int i = 0; i < n; i++) {
                Connection c = connect(blue);
                opened.add(c);
                beginSnapshot(c);
            }
            BinlogPosition at;
            if (locked) {
                at = masterStatus(lock);
                try (Statement st = lock.createStatement()) {
                    st.execute("UNLOCK TABLES");
                }
            } else {
                at = snapshotPosition(opened.get(0));
            }
            long lockMs = (System.nanoTime() - t0) / 1_000_000;
            for (Connection c : opened) {
                BinlogPosition seen = snapshotPosition(c);
                if (!seen.file().equals(at.file()) || seen.offset() != at.offset()) {
                    throw new SQLException("a reader's snapshot stands at " + seen + ", not at the consistent point " + at);
                }
            }
            LOG.info("backfill consistent point {} with {} reader(s){}", at, n,
                    locked ? ", writes held for " + lockMs + " ms" : " (no lock)");
            return new BinlogSnapshot(at, opened, locked ? lockMs : 0);
        } catch (SQLException e) {
            opened.forEach(BinlogSnapshot::closeQuietly);
            throw new BluegreenException(ErrorCode.BLUE_UNAVAILABLE, "taking the backfill's consistent snapshot on"
                    + " blue failed: " + e.getMessage() + " (SQLState " + e.getSQLState() + "); the blue user needs RELOAD"
                    + " (FLUSH TABLES WITH READ LOCK), REPLICATION CLIENT (SHOW MASTER STATUS) and SELECT, blue needs"
                    + " log_bin on, and no statement may hold a table longer than the lock wait", e);
        } finally {
            closeQuietly(lock);
        }
    }

    /**
     * Starts a consistent-snapshot, read-only transaction on a new session (for a resumed backfill, whose
     * snapshot is taken now), with the session settings every blue read relies on.
     *
     * @throws SQLException when blue refuses
     */
    public static void beginSnapshot(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(MariaDbValueReader.SESSION_TIME_ZONE);
            st.execute("SET SESSION sql_mode = REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '')");
            st.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
        }
    }

    /** The consistent point. */
    public BinlogPosition position() {
        return position;
    }

    /** How long (ms) blue's writes were held while the readers opened; 0 without the lock. */
    public long lockMs() {
        return lockMs;
    }

    /** Number of reader sessions not handed out yet. */
    public synchronized int available() {
        return readers.size();
    }

    /**
     * Hands out one reader, inside its snapshot; the caller owns it from then on (commits and closes it).
     *
     * @return the session, or null when every reader was handed out
     */
    public synchronized Connection take() {
        return readers.poll();
    }

    /**
     * Returns a reader taken earlier, still inside its snapshot and its transaction (the backfill plans in one
     * reader and copies in it afterwards).
     */
    public synchronized void putBack(Connection reader) {
        readers.push(reader);
    }

    /** Closes the readers not handed out. Idempotent. */
    @Override
    public synchronized void close() {
        while (!readers.isEmpty()) {
            closeQuietly(readers.poll());
        }
    }

    /** Whether blue still holds the binlog file a stored position names (purged files cannot be streamed). */
    public static boolean binlogAvailable(Connection blue, String file) throws SQLException {
        try (Statement st = blue.createStatement(); ResultSet rs = st.executeQuery("SHOW BINARY LOGS")) {
            while (rs.next()) {
                if (file.equals(rs.getString(1))) {
                    return true;
                }
            }
            return false;
        }
    }

    private static BinlogPosition masterStatus(Connection c) throws SQLException {
        String file;
        long offset;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
            if (!rs.next()) {
                throw new SQLException("SHOW MASTER STATUS returned nothing: blue runs without log_bin");
            }
            file = rs.getString(1);
            offset = rs.getLong(2);
        }
        return new BinlogPosition(file, offset, gtidAt(c, file, offset));
    }

    private static BinlogPosition snapshotPosition(Connection c) throws SQLException {
        String file = null;
        long offset = -1;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW STATUS LIKE 'binlog_snapshot_%'")) {
            while (rs.next()) {
                if ("binlog_snapshot_file".equalsIgnoreCase(rs.getString(1))) {
                    file = rs.getString(2);
                } else if ("binlog_snapshot_position".equalsIgnoreCase(rs.getString(1))) {
                    offset = Long.parseLong(rs.getString(2));
                }
            }
        }
        if (file == null || file.isEmpty() || offset < 0) {
            throw new SQLException("blue reports no binlog_snapshot_file/position: is log_bin on, and is it MariaDB?");
        }
        return new BinlogPosition(file, offset, gtidAt(c, file, offset));
    }

    private static String gtidAt(Connection c, String file, long offset) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT BINLOG_GTID_POS(?, ?)")) {
            ps.setString(1, file);
            ps.setLong(2, offset);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                String g = rs.getString(1);
                return g == null ? "" : g;
            }
        }
    }

    private static Connection connect(EndpointConfig blue) throws SQLException {
        return DriverManager.getConnection(blue.jdbcUrl(), blue.user(), blue.password());
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the server ends the session, and its lock, with the connection
            }
        }
    }
}
