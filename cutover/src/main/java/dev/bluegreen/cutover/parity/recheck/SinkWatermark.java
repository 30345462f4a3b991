package dev.bluegreen.cutover.parity.recheck;

import dev.bluegreen.core.control.AppliedWatermark;
import dev.bluegreen.core.event.Markers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * How far the sink has applied blue, read from green's control schema: the blue commit time of the
 * heartbeat whose watermark every partition of every table topic has applied ({@link AppliedWatermark}).
 * Capture writes a heartbeat on blue every heartbeat interval and a watermark into every partition
 * after every change committed before it, so "the sink applied past blue time T" is
 * {@code watermark.blueCommitMs >= T}. Thread-safe.
 */
public final class SinkWatermark {

    private static final long POLL_MS = 50;

    private final DataSource green;
    private final String pipeline;
    private final AppliedWatermark applied;
    private final Duration stall;

    /**
     * @param applied the pipeline's watermark across all table partitions
     * @param stall give up waiting when the watermark has not moved for this long (a stopped pipeline)
     */
    public SinkWatermark(DataSource green, String pipeline, AppliedWatermark applied, Duration stall) {
        this.green = green;
        this.pipeline = pipeline;
        this.applied = applied;
        this.stall = stall;
    }

    /**
     * True when the pipeline is recorded as running and has applied a heartbeat: rechecks then wait for
     * the sink. False when it never ran, was stopped, or green has no control schema.
     */
    public boolean live() {
        try (Connection c = green.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT s.state, l.blue_commit_ms FROM bluegreen.pipeline_state s JOIN bluegreen.lag l"
                        + " ON l.pipeline = s.pipeline WHERE s.pipeline = ?")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && "running".equals(rs.getString(1));
            }
        } catch (SQLException e) {
            return false;
        }
    }

    /** Blue commit time (epoch ms) of the heartbeat applied in every table partition, or -1. */
    public long appliedBlueCommitMs() {
        try {
            return applied.applied().map(Markers.Watermark::blueCommitMs).orElse(-1L);
        } catch (SQLException e) {
            return -1;
        }
    }

    /**
     * Waits until the sink applied past {@code blueMs}, at most {@code timeout}, and less when the
     * watermark stops moving.
     *
     * @return true when reached
     * @throws InterruptedException when interrupted (the flag is restored by the caller's handler)
     */
    public boolean awaitPast(long blueMs, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = appliedBlueCommitMs();
        long lastMoved = System.nanoTime();
        while (last < blueMs) {
            long now = System.nanoTime();
            if (now > deadline || now - lastMoved > stall.toNanos()) {
                return false;
            }
            Thread.sleep(POLL_MS);
            long seen = appliedBlueCommitMs();
            if (seen != last) {
                last = seen;
                lastMoved = System.nanoTime();
            }
        }
        return true;
    }
}
