package dev.bluegreen.cli.demo;

import dev.bluegreen.cli.pipeline.Pipeline;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Collects replication-lag samples from green's {@code bluegreen.lag} row: one sample per applied
 * heartbeat (blue commit time to green apply time, ms). Not thread-safe.
 */
final class LagSampler {

    private final Pipeline pipeline;
    private final List<Long> samples = new ArrayList<>();
    private long lastApplied = -1;
    private long lastPrint = System.currentTimeMillis();

    LagSampler(Pipeline pipeline) {
        this.pipeline = pipeline;
    }

    void sample() throws SQLException {
        try (Connection c = pipeline.green().getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT lag_ms, applied_ms FROM bluegreen.lag WHERE pipeline = ?")) {
            ps.setString(1, pipeline.config().name());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getLong(2) != lastApplied) {
                    lastApplied = rs.getLong(2);
                    samples.add(rs.getLong(1));
                }
            }
        }
    }

    void printEvery(long intervalMs, Pipeline p) {
        long now = System.currentTimeMillis();
        if (now - lastPrint >= intervalMs) {
            lastPrint = now;
            Long last = samples.isEmpty() ? null : samples.get(samples.size() - 1);
            System.out.println("    captured " + p.capturedEvents() + " events, applied " + p.appliedEvents()
                    + ", lag " + (last == null ? "?" : last + " ms"));
        }
    }

    /** p50 / p99 / max over the samples (nearest-rank percentiles). */
    String describe() {
        if (samples.isEmpty()) {
            return "no samples";
        }
        List<Long> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        return "p50 " + rank(sorted, 0.50) + " ms, p99 " + rank(sorted, 0.99) + " ms, max "
                + sorted.get(sorted.size() - 1) + " ms (" + sorted.size() + " samples)";
    }

    private static long rank(List<Long> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
    }
}
