package dev.bluegreen.cutover.coordinator;

import dev.bluegreen.core.dialect.mariadb.MariaDbDialect;
import dev.bluegreen.core.event.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A MariaDB blue's freeze ({@link BlueFreeze}). MariaDB has no transactional DDL and no table lock that
 * lives in a transaction, so the protocol differs from PostgreSQL's:
 * <ul>
 *   <li><b>locks</b>: {@code LOCK TABLES t READ} (reads go on, writers wait on the table's metadata lock),
 *       one coordinator session per table. One {@code LOCK TABLES} over every table takes them in name order and
 *       outranks the application in MariaDB's metadata-lock deadlock detection, so an application transaction
 *       that writes them in another order is the deadlock victim (measured: error 1213 in the application). With
 *       a session per table, the server sees no cycle: the coordinator's session gives up after a
 *       {@value #LOCK_SLICE_MS} ms slice ({@code max_statement_time}), releases the others and retries with that
 *       table first, as {@link PostgresFreeze} does, so the coordinator, never the application, yields. Each
 *       lock session sets {@code wait_timeout} to the freeze budget plus {@value #IDLE_MARGIN_MS} ms (whole
 *       seconds, rounded up; {@link #verifyHeld} restarts that clock): the server closes the idle session of a
 *       hung coordinator, and a dead
 *       coordinator's sessions end with it, so blue takes writes again by itself (design property 6);</li>
 *   <li><b>fence</b>: an autocommit update of {@code bluegreen.heartbeat}, and {@code @@gtid_binlog_pos} right
 *       after it;</li>
 *   <li><b>read-only</b>, only after the flip ({@link #readOnlyInsideFreeze()} is false: a REVOKE takes effect at
 *       once and cannot be rolled back with the freeze): the application user's INSERT, UPDATE, DELETE and DROP
 *       grants on the captured tables' databases and on the tables themselves are revoked, for every account of
 *       that user name ({@link MariaDbGrants}); then its sessions are killed (a database-level REVOKE does not
 *       reach an open session, and a writer queued behind the locks has passed its privilege check), and only
 *       then are the locks released. What a revoke of the user's own cannot remove (global writes, roles,
 *       wildcard, column or PUBLIC grants) is refused by the pre-checks.</li>
 * </ul>
 * Not thread-safe.
 */
final class MariaDbFreeze implements BlueFreeze {

    private static final Logger LOG = LoggerFactory.getLogger(MariaDbFreeze.class);
    private static final MariaDbDialect D = MariaDbDialect.INSTANCE;

    /** Longest wait for one table's lock in one attempt, ms (see the class comment). */
    static final long LOCK_SLICE_MS = 100;
    /** A lock session left idle this long past max-freeze-ms is closed by the server (rounded up to seconds). */
    static final long IDLE_MARGIN_MS = 2_000;
    /** MariaDB's error for a statement stopped by {@code max_statement_time}. */
    private static final int STATEMENT_TIMEOUT = 1969;
    /** MariaDB's lock wait timeout and deadlock errors. */
    private static final int LOCK_WAIT_TIMEOUT = 1205;
    private static final int DEADLOCK = 1213;
    /** {@code KILL} of a session that already ended. */
    private static final int UNKNOWN_THREAD = 1094;

    private final List<Connection> lockSessions;
    private final Connection admin;
    /** Server session id of each lock session, read when the freeze is set up (before it starts). */
    private final long[] sessionIds;
    private int locked;

    /**
     * @param lockSessions blue sessions used only for the locks, at least one per captured table (closed by
     *     {@link #close})
     * @param admin a blue connection, autocommit, holding no lock: the fence, the REVOKE and the KILLs
     * @throws SQLException when a lock session's server session id cannot be read
     */
    MariaDbFreeze(List<Connection> lockSessions, Connection admin) throws SQLException {
        this.lockSessions = List.copyOf(lockSessions);
        this.admin = admin;
        this.sessionIds = new long[lockSessions.size()];
        for (int i = 0; i < sessionIds.length; i++) {
            sessionIds[i] = connectionId(lockSessions.get(i)); // here, not inside the freeze
        }
    }

    /**
     * Locks each table on its own session, in the order learned from earlier attempts. Called once per freeze
     * (a second call locks again from the first session on).
     *
     * @throws SQLException naming the table, with MariaDB's error code: 1969 or 1205 when the locks were not granted
     *     within {@code lockTimeout} (running transactions hold them), 1213 on a deadlock that went on until then,
     *     any other code when blue refuses the lock (privileges); every lock taken is released first
     * @throws IllegalArgumentException when there are more tables than lock sessions
     */
    @Override
    public int lock(List<TableId> tables, Duration lockTimeout, Duration maxFreeze) throws SQLException {
        if (tables.size() > lockSessions.size()) {
            throw new IllegalArgumentException(tables.size() + " tables but " + lockSessions.size() + " lock sessions");
        }
        long deadline = System.nanoTime() + lockTimeout.toNanos();
        long idleSeconds = (maxFreeze.toMillis() + IDLE_MARGIN_MS + 999) / 1000;
        List<TableId> order = new ArrayList<>(tables);
        for (int attempt = 1; ; attempt++) {
            int at = -1;
            try {
                for (at = 0; at < order.size(); at++) {
                    long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000); // one budget for all tables
                    try (Statement st = lockSessions.get(at).createStatement()) {
                        st.execute(String.format(Locale.ROOT, "SET SESSION wait_timeout = %d, max_statement_time = %.3f",
                                idleSeconds, Math.min(left, LOCK_SLICE_MS) / 1000.0));
                        locked = at + 1;
                        st.execute("LOCK TABLES " + D.table(order.get(at)) + " READ");
                    }
                }
                return attempt;
            } catch (SQLException e) {
                rollback();
                int code = e.getErrorCode();
                boolean retriable = code == STATEMENT_TIMEOUT || code == LOCK_WAIT_TIMEOUT || code == DEADLOCK;
                String table = at >= 0 && at < order.size() ? order.get(at).toString() : "?";
                if (!retriable) {
                    boolean denied = code == 1044 || code == 1142; // access denied to the database / the table
                    throw new SQLException("locking blue table " + table + " failed: " + e.getMessage()
                            + (denied ? "; the blue user needs LOCK TABLES and SELECT on it" : ""), e.getSQLState(), code,
                            e);
                }
                if (at < 0 || at >= order.size() || System.nanoTime() >= deadline) {
                    throw new SQLException("blue table " + table + " stayed in use by a transaction past the lock timeout"
                            + " of " + lockTimeout.toMillis() + " ms (cutover.lock-timeout-ms); its holder is in"
                            + " information_schema.INNODB_TRX and PROCESSLIST on blue (server said: " + e.getMessage()
                            + ")", e.getSQLState(), code, e);
                }
                LOG.info("freeze lock attempt {} waited {} ms for {} (a deadlock forming with an application"
                        + " transaction, or a long transaction); retrying with it first", attempt, LOCK_SLICE_MS,
                        order.get(at));
                order.add(0, order.remove(at));
            }
        }
    }

    @Override
    public String lockMode() {
        return "READ";
    }

    /**
     * {@code SELECT CONNECTION_ID()} on every lock session: proves it is alive and still the server session it was
     * when the freeze was set up, so the one that took the lock (a driver in a failover mode reconnects silently,
     * to a session holding nothing), and restarts its idle timer.
     */
    @Override
    public void verifyHeld() throws SQLException {
        for (int i = 0; i < locked; i++) {
            long id = connectionId(lockSessions.get(i));
            if (id != sessionIds[i]) {
                throw new SQLException("lock session " + (i + 1) + " is now server session " + id + ", not "
                        + sessionIds[i] + " that took its lock: the driver reconnected, the lock is gone", "08003");
            }
        }
    }

    private static long connectionId(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * @throws SQLException when blue fails or has no heartbeat row for the pipeline (no capture ran)
     */
    @Override
    public Fence fence(String pipeline) throws SQLException {
        try (PreparedStatement up = admin.prepareStatement("UPDATE bluegreen.heartbeat SET beat_at ="
                + " CURRENT_TIMESTAMP(6), beats = beats + 1 WHERE pipeline = ?");
             PreparedStatement read = admin.prepareStatement("SELECT beats, @@gtid_binlog_pos FROM bluegreen.heartbeat"
                     + " WHERE pipeline = ?")) {
            up.setString(1, pipeline);
            if (up.executeUpdate() != 1) {
                throw new SQLException("blue has no bluegreen.heartbeat row for pipeline " + pipeline
                        + ": run the pipeline (bluegreen run) before cutting over", "55000");
            }
            // read after the commit: a heartbeat of capture's in between only makes the fence later, never earlier
            read.setString(1, pipeline);
            try (ResultSet rs = read.executeQuery()) {
                rs.next();
                return new Fence(rs.getLong(1), "gtid " + rs.getString(2));
            }
        }
    }

    @Override
    public boolean readOnlyInsideFreeze() {
        return false;
    }

    /**
     * Revokes the user's write grants on the captured tables and their databases ({@link MariaDbGrants#writeGrants}:
     * INSERT, UPDATE, DELETE, DROP), for every account of that name, at once (MariaDB's GRANT statements are not
     * transactional), then reads the grants again.
     *
     * @return the revokes, with the GRANT statements that undo them
     * @throws SQLException when a REVOKE fails or a write grant is left afterwards
     * @throws IllegalStateException when a grant cannot be revoked for the user alone (see {@link MariaDbGrants})
     */
    @Override
    public String makeReadOnly(String pipeline, String user, List<TableId> tables) throws SQLException {
        // what cannot be revoked (grants changed since the pre-check) is reported below, after what can be is
        MariaDbGrants.Found found = MariaDbGrants.read(admin, user, tables);
        List<MariaDbGrants.Grant> grants = found.grants();
        StringJoiner undo = new StringJoiner("; ");
        try (Statement st = admin.createStatement()) {
            for (MariaDbGrants.Grant g : grants) {
                st.execute(g.revoke());
                undo.add(g.undo());
            }
        }
        String revoked = grants.isEmpty() ? "" : " (" + grants.size() + " grant(s) were revoked; to undo: " + undo + ")";
        if (!found.problems().isEmpty()) {
            throw new SQLException("blue still lets " + user + " write: " + String.join("; ", found.problems())
                    + revoked);
        }
        List<MariaDbGrants.Grant> left = MariaDbGrants.read(admin, user, tables).grants();
        if (!left.isEmpty()) {
            throw new SQLException("after the REVOKEs, " + user + " still holds " + left.stream()
                    .map(g -> g.privileges() + " ON " + g.on()).toList() + " on blue; revoke them by hand" + revoked);
        }
        return grants.isEmpty() ? "the application user " + user + " holds no write grant on the captured tables or"
                + " their databases: nothing to revoke"
                : grants.size() + " write grant(s) of " + user + " revoked; to undo by hand: " + undo;
    }

    /**
     * Kills every session of the user (any host), then waits at most {@code timeout} for them to go.
     *
     * @throws SQLException when blue refuses (the coordinator needs PROCESS and CONNECTION ADMIN, or SUPER)
     */
    @Override
    public int endSessions(String user, Duration timeout) throws SQLException {
        List<Long> ids = sessions(user);
        try (Statement st = admin.createStatement()) {
            for (long id : ids) {
                try {
                    st.execute("KILL CONNECTION " + id);
                } catch (SQLException e) {
                    if (e.getErrorCode() != UNKNOWN_THREAD) {
                        throw e;
                    }
                }
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ids.isEmpty()) {
            List<Long> left = sessions(user);
            left.retainAll(ids);
            if (left.isEmpty()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                LOG.warn("{} session(s) of user {} still on blue {} ms after KILL; a session that outlives its KILL may"
                        + " still write (a writer queued behind the locks passed its privilege check, an open session"
                        + " keeps its database privileges): look at information_schema.PROCESSLIST on blue",
                        left.size(), user, timeout.toMillis());
                break;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for killed sessions", e);
            }
        }
        return ids.size();
    }

    private List<Long> sessions(String user) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = admin.prepareStatement("SELECT ID FROM information_schema.PROCESSLIST WHERE"
                + " BINARY USER = ? AND ID <> CONNECTION_ID()")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    /** Releases the locks ({@code UNLOCK TABLES} on every lock session). */
    @Override
    public void release() throws SQLException {
        SQLException first = null;
        for (int i = 0; i < locked; i++) {
            try (Statement st = lockSessions.get(i).createStatement()) {
                st.execute("UNLOCK TABLES");
            } catch (SQLException e) {
                first = first == null ? e : first;
                closeQuietly(lockSessions.get(i)); // a closed session holds no lock
            }
        }
        locked = 0;
        if (first != null) {
            throw first;
        }
    }

    /** As {@link #release}: nothing else changed on blue before the flip. Never throws. */
    @Override
    public void rollback() {
        try {
            release();
        } catch (SQLException e) {
            LOG.warn("unlocking blue failed ({}); the lock sessions were closed, which releases their locks",
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        rollback();
        lockSessions.forEach(MariaDbFreeze::closeQuietly);
        closeQuietly(admin);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("closing a blue session: {}", e.toString());
        }
    }
}
