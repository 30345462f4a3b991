package dev.bluegreen.cli.status;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The pipeline's row in green's {@code bluegreen.route}: where the switchable DataSources send the
 * application, published by the cutover coordinator. Immutable.
 *
 * @param target {@code blue} or {@code green}
 * @param phase {@code serving} or {@code frozen}
 * @param epoch increases with every change
 * @param leaseMs how long a frozen DataSource waits without news before it resumes on {@code target} (ms)
 * @param updatedAt when the row last changed
 */
public record RouteSummary(String target, String phase, long epoch, long leaseMs, Instant updatedAt) {

    public RouteSummary {
        requireNonNull(target, "target is null");
        requireNonNull(phase, "phase is null");
        requireNonNull(updatedAt, "updatedAt is null");
    }

    /**
     * Reads the route row.
     *
     * @return empty when the pipeline has none (no cutover with the DataSource router has run)
     * @throws SQLException when green fails
     */
    public static Optional<RouteSummary> read(Connection green, String pipeline) throws SQLException {
        try (PreparedStatement ps = green.prepareStatement(
                "SELECT target, phase, epoch, lease_ms, updated_at FROM bluegreen.route WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new RouteSummary(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                        rs.getTimestamp(5).toInstant()));
            }
        }
    }

    /**
     * True when frozen for longer than the lease with no coordinator running: nobody sends the keep-alive,
     * so the DataSources resumed on {@code target} by themselves. (While a coordinator runs, its
     * keep-alive notifications hold the freeze without changing the row.)
     */
    public boolean frozenPastLease(Instant now, boolean coordinatorRunning) {
        return "frozen".equals(phase) && !coordinatorRunning && Duration.between(updatedAt, now).toMillis() > leaseMs;
    }

    /** One line for the terminal. */
    public String line(Instant now, boolean coordinatorRunning) {
        String s = "route (switchable DataSource, bluegreen.route): " + phase + " on " + target + ", epoch " + epoch
                + ", lease " + leaseMs + " ms, updated " + Times.at(updatedAt, now);
        if (frozenPastLease(now, coordinatorRunning)) {
            s += "; frozen past its lease, so the DataSources have resumed on " + target + " by themselves";
        }
        return s;
    }
}
