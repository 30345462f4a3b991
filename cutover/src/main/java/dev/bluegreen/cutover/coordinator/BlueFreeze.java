package dev.bluegreen.cutover.coordinator;

import dev.bluegreen.core.event.TableId;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * The coordinator's sessions on blue during the freeze, one implementation per blue engine
 * ({@link PostgresFreeze}, {@link MariaDbFreeze}). The locks are held by sessions of the coordinator only, so
 * that if the coordinator dies its sessions end, the locks go and blue takes writes again by itself (design
 * property 6). {@link FreezeRun} calls, in this order: {@link #lock}, {@link #fence}, {@link #makeReadOnly}
 * beside the drain when {@link #readOnlyInsideFreeze()}, {@link #verifyHeld} right before the flip (a failure
 * aborts) and right after it (a failure is a warning), {@link #makeReadOnly} there when not
 * {@link #readOnlyInsideFreeze()}, {@link #endSessions} (only once the run flipped), then {@link #release} or, on
 * an abort, {@link #rollback}. Not thread-safe: one call
 * at a time, except that {@link #makeReadOnly} may run beside the drain when {@link #readOnlyInsideFreeze()}.
 */
interface BlueFreeze extends AutoCloseable {

    /**
     * A written fence: the heartbeat counter value, and blue's log position right after it (PostgreSQL: the WAL
     * LSN, e.g. {@code 0/3000A28}; MariaDB: {@code gtid <@@gtid_binlog_pos>}, e.g. {@code gtid 0-1-5678}).
     */
    record Fence(long beats, String lsn) {
        /** The position for people: {@code LSN 0/3000A28}, or MariaDB's {@code gtid 0-1-5678} as it is. */
        String position() {
            return lsn.startsWith("gtid ") ? lsn : "LSN " + lsn;
        }
    }

    /**
     * Locks the captured tables against writes (reads go on), within {@code lockTimeout} in all.
     *
     * @param maxFreeze the freeze budget: a coordinator that hangs past it (plus a margin) loses its sessions
     * @return how many attempts it took (1 when no deadlock with an application transaction)
     * @throws SQLException when the locks were not granted in time; nothing stays locked
     */
    int lock(List<TableId> tables, Duration lockTimeout, Duration maxFreeze) throws SQLException;

    /** The lock mode named in reports, e.g. {@code EXCLUSIVE} or {@code READ}. */
    String lockMode();

    /**
     * Proves that the sessions holding the locks are still alive, one round trip each (a session ended by the
     * server's idle timeout, a network drop or a KILL has let its locks go), and restarts their idle timers.
     *
     * @throws SQLException when a lock session is gone: blue may have taken writes since
     */
    void verifyHeld() throws SQLException;

    /**
     * Writes the fence: one more heartbeat on blue, committed at once, on a session that holds no lock.
     *
     * @throws SQLException when blue fails or the heartbeat row is missing (no capture ran)
     */
    Fence fence(String pipeline) throws SQLException;

    /**
     * True when {@link #makeReadOnly} is transactional and runs inside the freeze (undone by {@link #rollback});
     * false when it takes effect at once and so runs only after the flip, blue's locks still held.
     */
    boolean readOnlyInsideFreeze();

    /**
     * Makes blue refuse the application role's writes to the captured tables.
     *
     * @return what was done, for the report (including how to undo it by hand)
     * @throws SQLException when blue refuses (the coordinator lacks a privilege)
     */
    String makeReadOnly(String pipeline, String role, List<TableId> tables) throws SQLException;

    /**
     * Ends every blue session of the application role (writers queued behind the locks included), at most
     * {@code timeout} waiting for them to go.
     *
     * @return how many sessions were signalled
     * @throws SQLException when blue refuses
     */
    int endSessions(String role, Duration timeout) throws SQLException;

    /** Releases the locks, the read-only switch in force. */
    void release() throws SQLException;

    /** Releases the locks, blue as it was before the freeze. Never throws. */
    void rollback();

    /** Rolls back if still locked and closes the sessions. Never throws. */
    @Override
    void close();
}
