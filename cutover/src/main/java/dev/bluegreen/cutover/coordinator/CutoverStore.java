package dev.bluegreen.cutover.coordinator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The coordinator's persisted state in green's control schema ({@code bluegreen.cutover_run},
 * {@code bluegreen.cutover_step}) and its guard: a session-level advisory lock on green keyed by the
 * pipeline ({@code pg_try_advisory_lock(hashtext('bluegreen-cutover'), hashtext(pipeline))}), held by
 * one dedicated connection for the whole run, so a second coordinator refuses to start and a dead one's
 * lock goes with its session. Writes are autocommit, one statement each. Not thread-safe.
 */
public final class CutoverStore implements AutoCloseable {

    private final Connection c;
    private final String pipeline;
    private long runId = -1;

    /** A recorded run, for {@code bluegreen status}. */
    public record Run(long id, boolean dryRun, String phase, String outcome, Timestamp startedAt, Timestamp endedAt,
                      Double freezeMs, String message, String reportJson) {
    }

    /** Opens the store on its own green connection (closed by {@link #close}). */
    public CutoverStore(DataSource green, String pipeline) throws SQLException {
        this.c = green.getConnection();
        this.c.setAutoCommit(true);
        this.pipeline = pipeline;
    }

    /** Tries to take the coordinator lock; false when another coordinator of this pipeline holds it. */
    public boolean tryLock() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_try_advisory_lock(hashtext('bluegreen-cutover'), hashtext(?))")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Marks runs that never ended (their coordinator died; we hold the lock, so none is running) as failed.
     *
     * @return how many were marked
     */
    public int closeAbandonedRuns() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE bluegreen.cutover_run SET outcome = 'failed',"
                + " ended_at = now(), message = 'the coordinator ended without finishing (killed?) during phase ' || phase"
                + " WHERE pipeline = ? AND outcome IS NULL")) {
            ps.setString(1, pipeline);
            return ps.executeUpdate();
        }
    }

    /** Records a new run; returns its id. */
    public long begin(boolean dryRun) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO bluegreen.cutover_run (pipeline, dry_run, phase)"
                + " VALUES (?, ?, 'precheck') RETURNING id")) {
            ps.setString(1, pipeline);
            ps.setBoolean(2, dryRun);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                runId = rs.getLong(1);
                return runId;
            }
        }
    }

    /** Records the phase the coordinator is in. */
    public void phase(String phase) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE bluegreen.cutover_run SET phase = ? WHERE id = ?")) {
            ps.setString(1, phase);
            ps.setLong(2, runId);
            ps.executeUpdate();
        }
    }

    /** Records a step (after it ended). */
    public void step(int seq, CutoverStep s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO bluegreen.cutover_step (run_id, seq, step,"
                + " started_at, duration_ms, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, runId);
            ps.setInt(2, seq);
            ps.setString(3, s.name());
            ps.setTimestamp(4, Timestamp.from(s.startedAt()));
            ps.setDouble(5, s.durationMs());
            ps.setString(6, s.outcome());
            ps.setString(7, s.detail());
            ps.executeUpdate();
        }
    }

    /** Records the end of the run. */
    public void finish(String outcome, Double freezeMs, BlueFreeze.Fence fence, String message, String reportJson)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE bluegreen.cutover_run SET outcome = ?, phase = 'done',"
                + " ended_at = now(), freeze_ms = ?, fence_beats = ?, fence_lsn = ?, message = ?, report = ?::jsonb"
                + " WHERE id = ?")) {
            ps.setString(1, outcome);
            ps.setObject(2, freezeMs);
            ps.setObject(3, fence == null ? null : fence.beats());
            ps.setString(4, fence == null ? null : fence.lsn());
            ps.setString(5, message);
            ps.setString(6, reportJson);
            ps.setLong(7, runId);
            ps.executeUpdate();
        }
    }

    /** The newest run of a pipeline, if any. */
    public static Optional<Run> latest(Connection green, String pipeline) throws SQLException {
        try (PreparedStatement ps = green.prepareStatement("SELECT id, dry_run, phase, outcome, started_at, ended_at,"
                + " freeze_ms, message, report::text FROM bluegreen.cutover_run WHERE pipeline = ?"
                + " ORDER BY started_at DESC, id DESC LIMIT 1")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Double freeze = rs.getObject(7) == null ? null : rs.getDouble(7);
                return Optional.of(new Run(rs.getLong(1), rs.getBoolean(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5), rs.getTimestamp(6), freeze, rs.getString(8), rs.getString(9)));
            }
        }
    }

    /**
     * Whether some session holds the coordinator lock of a pipeline now, read from {@code pg_locks}
     * without taking it (so a coordinator starting at the same moment is never refused because of this
     * look). A run without an outcome while the lock is free belongs to a coordinator that died. Read-only.
     *
     * @param green a connection to green's database (advisory locks are per database)
     * @throws SQLException when green fails
     */
    public static boolean lockHeld(Connection green, String pipeline) throws SQLException {
        // the two-int4 form of the lock shows as classid = key1, objid = key2, objsubid = 2 (int4 -> oid wraps)
        try (PreparedStatement ps = green.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_locks l"
                + " JOIN pg_database d ON d.oid = l.database AND d.datname = current_database()"
                + " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2"
                + " AND l.classid = hashtext('bluegreen-cutover')::oid AND l.objid = hashtext(?)::oid)")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Releases the lock ({@code pg_advisory_unlock}: the connection may go back to a pool, where a session
     * lock would otherwise stay) and closes the connection; never throws.
     */
    @Override
    public void close() {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_advisory_unlock(hashtext('bluegreen-cutover'), hashtext(?))")) {
            ps.setString(1, pipeline);
            ps.execute();
        } catch (SQLException ignored) {
            // not held, or the session is gone: either way no lock remains
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing the session releases the advisory lock either way
        }
    }
}
