package dev.bluegreen.cutover.coordinator;

import dev.bluegreen.core.dialect.postgres.PostgresDialect;
import dev.bluegreen.core.event.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL blue's freeze ({@link BlueFreeze}): the coordinator's own session on blue during the freeze. Everything that stops application writes
 * happens inside ONE transaction of this session: the {@code EXCLUSIVE} table locks (reads go on,
 * writes wait), and, while the sink drains, the write triggers, the {@code REVOKE} of write privileges on the
 * captured tables and {@code ALTER ROLE ... SET default_transaction_read_only = on}. If the coordinator dies,
 * its session ends, the transaction rolls back and blue takes writes again by itself (design property
 * 6). Writers queued behind the locks are terminated before the commit: all signalled at once, then
 * polled until gone ({@code pg_terminate_backend(pid, timeout)} one by one would cost ~100 ms each), so
 * a straggler fails loudly instead of writing to blue. The fence is written on a second, autocommit
 * session (the heartbeat table is never locked). Not thread-safe: one call at a time, except that
 * {@link #makeReadOnly} (freeze session only) may run while nothing else uses the freeze session.
 */
final class PostgresFreeze implements BlueFreeze {

    private static final PostgresDialect D = PostgresDialect.INSTANCE;

    private static final Logger LOG = LoggerFactory.getLogger(PostgresFreeze.class);

    /** The freeze session's deadlock_timeout, ms: far below the application's (PostgreSQL's default 1 s). */
    static final int DEADLOCK_TIMEOUT_MS = 20;
    /**
     * Longest wait for one table's lock in one attempt, ms. A deadlock can form after the freeze session's
     * deadlock check ran (the application transaction asks for the locked table later), and PostgreSQL checks
     * once per wait; giving up after this slice and retrying with the table first resolves it as well.
     */
    static final long LOCK_SLICE_MS = 100;
    /** The freeze session ends by itself this long past max-freeze-ms if it is left idle (a hung coordinator). */
    static final long IDLE_MARGIN_MS = 2_000;

    private final Connection lockSession;
    private final Connection admin;
    /** Whether the freeze session may set its own deadlock_timeout; asked once, before the freeze. */
    private final boolean shortDeadlockTimeout;
    private boolean open;

    /**
     * Asks blue, before the freeze, whether the freeze session may set {@code deadlock_timeout} (one round trip
     * less inside it).
     *
     * @param lockSession a blue connection used only for the freeze transaction (closed by {@link #close})
     * @param admin a second blue connection, autocommit, for the fence and the session terminations
     * @throws SQLException when blue cannot be asked
     */
    PostgresFreeze(Connection lockSession, Connection admin) throws SQLException {
        this.lockSession = lockSession;
        this.admin = admin;
        this.shortDeadlockTimeout = maySetDeadlockTimeout();
    }

    /**
     * Begins the freeze transaction and locks the tables, all within {@code lockTimeout}.
     *
     * <p>Locking several tables one after the other deadlocks with application transactions that write
     * them in another order: holding table A while waiting for B, whose writers wait for A (pgbench
     * writes accounts, tellers, branches, history; the mapping lists branches first, which deadlocks on
     * every try under {@code pgbench -c 4}). So: PostgreSQL aborts the waiter whose {@code deadlock_timeout}
     * (default 1 s) expires first, and the freeze session sets its own to {@value #DEADLOCK_TIMEOUT_MS} ms
     * where it may (superuser, or {@code GRANT SET ON PARAMETER deadlock_timeout}): the coordinator, not
     * the application, is the victim. It then rolls back and tries again with the table it was waiting
     * for moved to the front, so the order converges on the application's write order (three tries for
     * pgbench), until {@code lockTimeout} is spent. Without that setting, a lock timeout below 1 s makes
     * the coordinator give up before an application transaction could be chosen as the victim.
     *
     * <p>The first attempt sends the settings and every table's {@code LOCK} in one round trip (with the router
     * paused no application transaction runs, and the locks are granted at once: 9-10 ms for pgbench's five tables
     * one statement at a time under the S5 load, one round trip each). When it fails with a lock timeout or a
     * deadlock, it does not say on which table, so the attempts after it lock one table per statement, as above.
     *
     * @return how many attempts it took (1 when no deadlock)
     * @throws SQLException SQLState 55P03 when the locks were not granted in time (running transactions
     *     hold the tables), 40P01 when deadlocks went on until the time was spent; the transaction is
     *     rolled back
     */
    @Override
    public int lock(List<TableId> tables, Duration lockTimeout, Duration maxFreeze) throws SQLException {
        long deadline = System.nanoTime() + lockTimeout.toNanos();
        List<TableId> order = new ArrayList<>(tables);
        // a hung coordinator must not hold blue: its idle freeze transaction ends by itself
        String settings = "SET LOCAL idle_in_transaction_session_timeout = '"
                + (maxFreeze.toMillis() + IDLE_MARGIN_MS) + "ms'; "
                + (shortDeadlockTimeout ? "SET LOCAL deadlock_timeout = '" + DEADLOCK_TIMEOUT_MS + "ms'; " : "")
                + "SET LOCAL application_name = 'bluegreen cutover freeze'; ";
        // statements joined by ';' go to the server in one round trip (PgJDBC sends them before one Sync)
        lockSession.setAutoCommit(false);
        open = true;
        try (Statement st = lockSession.createStatement()) {
            long slice = sliceMs(deadline);
            StringBuilder sql = new StringBuilder(settings); // a plain loop: a stream's lambdas would load inside the freeze
            for (TableId t : order) {
                sql.append(sql.length() == settings.length() ? "" : "; ").append("SET LOCAL lock_timeout = '")
                        .append(slice).append("ms'; LOCK TABLE ").append(D.table(t)).append(" IN EXCLUSIVE MODE");
            }
            st.execute(sql.toString());
            return 1;
        } catch (SQLException e) {
            rollback();
            boolean retriable = "40P01".equals(e.getSQLState()) || "55P03".equals(e.getSQLState());
            if (!retriable || System.nanoTime() >= deadline) {
                throw e;
            }
            LOG.info("freeze lock attempt 1 (every table in one round trip) {}; locking one table at a time",
                    "40P01".equals(e.getSQLState()) ? "deadlocked with an application transaction"
                            : "waited " + LOCK_SLICE_MS + " ms (a deadlock forming, or a long transaction)");
        }
        for (int attempt = 2; ; attempt++) {
            lockSession.setAutoCommit(false);
            open = true;
            int at = -1;
            try (Statement st = lockSession.createStatement()) {
                // the settings with the first lock, then each further lock with its own timeout, so a failure
                // names the table it waited for
                for (at = 0; at < order.size(); at++) {
                    st.execute((at == 0 ? settings : "") + "SET LOCAL lock_timeout = '" + sliceMs(deadline)
                            + "ms'; LOCK TABLE " + D.table(order.get(at)) + " IN EXCLUSIVE MODE");
                }
                return attempt;
            } catch (SQLException e) {
                rollback();
                boolean retriable = "40P01".equals(e.getSQLState()) || "55P03".equals(e.getSQLState());
                if (!retriable || at < 0 || at >= order.size() || System.nanoTime() >= deadline) {
                    throw e;
                }
                LOG.info("freeze lock attempt {} {} while waiting for {}; retrying with it first", attempt,
                        "40P01".equals(e.getSQLState()) ? "deadlocked with an application transaction"
                                : "waited " + LOCK_SLICE_MS + " ms (a deadlock forming, or a long transaction)", order.get(at));
                order.add(0, order.remove(at));
            }
        }
    }

    /** One lock's timeout, ms: what is left of the one budget for all tables, at most {@value #LOCK_SLICE_MS}. */
    private static long sliceMs(long deadlineNanos) {
        return Math.min(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000), LOCK_SLICE_MS);
    }

    private boolean maySetDeadlockTimeout() throws SQLException {
        try (Statement st = lockSession.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT has_parameter_privilege('deadlock_timeout', 'SET')")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /**
     * Writes the fence: one more heartbeat on blue, committed at once.
     *
     * @throws SQLException when blue fails or the heartbeat row is missing (no capture ran)
     */
    @Override
    public Fence fence(String pipeline) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("UPDATE bluegreen.heartbeat SET beat_at = now(),"
                + " beats = beats + 1 WHERE pipeline = ? RETURNING beats, pg_current_wal_lsn()::text")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("blue has no bluegreen.heartbeat row for pipeline " + pipeline
                            + ": run the pipeline (bluegreen run) before cutting over", "55000");
                }
                return new Fence(rs.getLong(1), rs.getString(2));
            }
        }
    }

    /**
     * Inside the freeze transaction, effective when it commits ({@link #release()}); nothing an application
     * sees before that (an abort rolls it back):
     * <ul>
     *   <li>a statement-level trigger {@code bluegreen_read_only_<pipeline>} on every captured table refuses
     *       every INSERT, UPDATE, DELETE and TRUNCATE (SQLState 25006, naming the cutover): a REVOKE alone misses
     *       grants through other roles, PUBLIC, owners and superusers, and the pipeline, still running, would
     *       carry such a write into green over the application's newer rows there;</li>
     *   <li>the application role's writes on them are revoked, and its new sessions in this database start
     *       read-only ({@code ALTER ROLE ... IN DATABASE}: other databases of the server are not touched).</li>
     * </ul>
     * Runs on the freeze session only, so it may run while another thread uses the second session (the drain
     * does not use blue at all). To undo by hand after a cutover: {@code DROP TRIGGER bluegreen_read_only_<pipeline>
     * ON <table>}, {@code GRANT} the writes back and {@code ALTER ROLE ... IN DATABASE ... RESET
     * default_transaction_read_only}.
     *
     * @throws SQLException when blue refuses (the coordinator needs ownership of the tables and CREATEROLE, or
     *     superuser)
     */
    @Override
    public String makeReadOnly(String pipeline, String role, List<TableId> tables) throws SQLException {
        String function = "bluegreen.refuse_writes_" + pipeline;
        try (Statement st = lockSession.createStatement()) {
            st.execute("CREATE OR REPLACE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN"
                    + " RAISE EXCEPTION 'blue is read-only: pipeline " + pipeline + " cut over to green; write to green'"
                    + " USING ERRCODE = 'read_only_sql_transaction'; END $f$");
            String trigger = D.quote("bluegreen_read_only_" + pipeline);
            for (TableId t : tables) {
                st.execute("DROP TRIGGER IF EXISTS " + trigger + " ON " + D.table(t));
                st.execute("CREATE TRIGGER " + trigger + " BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON " + D.table(t)
                        + " FOR EACH STATEMENT EXECUTE FUNCTION " + function + "()");
            }
            st.execute("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON " + tables.stream().map(D::table)
                    .collect(Collectors.joining(", ")) + " FROM " + D.quote(role));
            st.execute("DO $d$ BEGIN EXECUTE format('ALTER ROLE %I IN DATABASE %I SET default_transaction_read_only = on',"
                    + " " + PostgresDialect.INSTANCE.literal(role) + ", current_database()); END $d$");
        }
        return "write triggers on " + tables.size() + " table(s), writes revoked from " + role
                + ", its new sessions read-only (effective when blue commits)";
    }

    /** PostgreSQL's switch is transactional: it runs inside the freeze, beside the drain. */
    @Override
    public boolean readOnlyInsideFreeze() {
        return true;
    }

    @Override
    public String lockMode() {
        return "EXCLUSIVE";
    }

    /** {@code SELECT 1} in the freeze transaction (also ends its idle-in-transaction clock). */
    @Override
    public void verifyHeld() throws SQLException {
        try (Statement st = lockSession.createStatement()) {
            st.execute("SELECT 1");
        }
    }

    /**
     * Ends every session of the role in this database (writers queued behind the locks included), on the second
     * session: all signalled at once, then those pids polled until gone, at most {@code timeout}. Only once the
     * cutover will flip: an aborted one must leave the application's sessions alone.
     *
     * @return how many sessions were signalled
     * @throws SQLException when blue refuses (the coordinator needs pg_signal_backend, or superuser)
     */
    @Override
    public int endSessions(String role, Duration timeout) throws SQLException {
        // select first, then signal: in one WHERE clause PostgreSQL may call pg_terminate_backend before the
        // other conditions and end every session of the server, this one included
        List<Integer> pids = new ArrayList<>();
        try (PreparedStatement ps = admin.prepareStatement("SELECT pid FROM pg_stat_activity WHERE usename = ?"
                + " AND datname = current_database() AND pid <> pg_backend_pid()")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pids.add(rs.getInt(1));
                }
            }
        }
        if (!pids.isEmpty()) {
            try (PreparedStatement ps = admin.prepareStatement(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(p)) FROM unnest(?::int[]) p")) {
                ps.setArray(1, admin.createArrayOf("int4", pids.toArray()));
                ps.execute();
            }
        }
        awaitGone(pids, role, timeout);
        return pids.size();
    }

    private void awaitGone(List<Integer> pids, String role, Duration timeout) throws SQLException {
        if (pids.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (PreparedStatement ps = admin.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(?)")) {
            ps.setArray(1, admin.createArrayOf("int4", pids.toArray()));
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    int left = rs.getInt(1);
                    if (left == 0) {
                        return;
                    }
                    if (System.nanoTime() > deadline) {
                        LOG.warn("{} session(s) of role {} still on blue {} ms after being terminated; the triggers make"
                                + " their writes fail", left, role, timeout.toMillis());
                        return;
                    }
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while waiting for terminated sessions", e);
                }
            }
        }
    }

    /** Commits the freeze transaction: locks released, read-only settings in force. */
    @Override
    public void release() throws SQLException {
        if (open) {
            lockSession.commit();
            open = false;
        }
    }

    /** Rolls the freeze transaction back: locks released, nothing changed on blue. Never throws. */
    @Override
    public void rollback() {
        if (open) {
            try {
                lockSession.rollback();
            } catch (SQLException e) {
                LOG.warn("rolling back the freeze on blue failed ({}); closing the session releases its locks",
                        e.getMessage());
                try {
                    lockSession.close();
                } catch (SQLException ignored) {
                    // the session is gone either way
                }
            }
            open = false;
        }
    }

    @Override
    public void close() {
        rollback();
        for (Connection c : List.of(lockSession, admin)) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("closing a blue session: {}", e.toString());
            }
        }
    }
}
