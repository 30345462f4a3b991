package dev.bluegreen.datasource;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Decides what the DataSource should do from the route rows it reads and the notifications it hears:
 * the pure part of following the coordinator, with the clock passed in ({@link System#nanoTime()} values)
 * so that the lease rules can be tested without servers.
 *
 * <p>The rules:
 * <ul>
 *   <li>no row yet: serve on the initial target (epoch 0); a row that disappears later changes nothing;</li>
 *   <li>{@code serving}: serve on the row's target;</li>
 *   <li>{@code frozen}: freeze, until a notification for this pipeline has not come for the row's
 *       {@code lease_ms}; then the lease <em>lapses</em>: serve on the row's target (the old one) and ignore
 *       that epoch from then on (design property 6: a dead coordinator cannot leave applications frozen);</li>
 *   <li>the lease clock restarts on every notification for this pipeline and on every new epoch read
 *       (including the first row read at start); re-reading an unchanged row after a reconnect does not
 *       restart it, so a flapping control connection cannot keep an orphaned freeze alive.</li>
 * </ul>
 *
 * <p>Not thread-safe: used by the route follower's thread only (and by the starting thread before that).
 */
final class RouteTracker {

    private final Target initialTarget;
    private Route route;
    private DataSourceState desired;
    private long lastHeardNanos;
    private boolean anyLapsed;
    private long lapsedEpoch;

    /** @param initialTarget where to serve while the pipeline has no route row */
    RouteTracker(Target initialTarget) {
        this.initialTarget = requireNonNull(initialTarget, "initialTarget is null");
        this.desired = new DataSourceState(initialTarget, Phase.SERVING, 0, false);
    }

    /**
     * Takes a fresh read of the pipeline's route row.
     *
     * @param row the row, or empty when the pipeline has none
     * @param nowNanos {@link System#nanoTime()} of the read
     * @return the desired state after it
     */
    DataSourceState read(Optional<Route> row, long nowNanos) {
        if (row.isEmpty()) {
            if (route == null) {
                desired = new DataSourceState(initialTarget, Phase.SERVING, 0, false);
            }
            return desired;
        }
        Route next = row.get();
        if (route == null || next.epoch() != route.epoch()) {
            lastHeardNanos = nowNanos;
        }
        route = next;
        if (next.phase() == Phase.SERVING) {
            desired = new DataSourceState(next.target(), Phase.SERVING, next.epoch(), false);
        } else if (anyLapsed && lapsedEpoch == next.epoch()) {
            desired = new DataSourceState(next.target(), Phase.SERVING, next.epoch(), true);
        } else {
            desired = new DataSourceState(next.target(), Phase.FROZEN, next.epoch(), false);
        }
        return desired;
    }

    /** A notification for this pipeline arrived: the coordinator is alive; restarts the lease clock. */
    void heard(long nowNanos) {
        lastHeardNanos = nowNanos;
    }

    /**
     * Lapses the lease if the route is frozen and nothing was heard for its {@code lease_ms}.
     *
     * @return true if it lapsed just now (the desired state is then serving on the route's target)
     */
    boolean lapseIfSilent(long nowNanos) {
        if (desired.phase() != Phase.FROZEN || nanosUntilLapse(nowNanos) > 0) {
            return false;
        }
        anyLapsed = true;
        lapsedEpoch = route.epoch();
        desired = new DataSourceState(route.target(), Phase.SERVING, route.epoch(), true);
        return true;
    }

    /** @return nanoseconds until {@link #lapseIfSilent} would lapse (0 if due), or {@link Long#MAX_VALUE} when not frozen */
    long nanosUntilLapse(long nowNanos) {
        if (desired.phase() != Phase.FROZEN) {
            return Long.MAX_VALUE;
        }
        long leaseNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, route.leaseMs()));
        return Math.max(0, lastHeardNanos + leaseNanos - nowNanos);
    }

    /** @return milliseconds since the coordinator was last heard (a notification or a new epoch) */
    long silentMs(long nowNanos) {
        return TimeUnit.NANOSECONDS.toMillis(nowNanos - lastHeardNanos);
    }

    /** @return the last route row read, or empty before the first one */
    Optional<Route> route() {
        return Optional.ofNullable(route);
    }

    /** @return what the DataSource should be doing now */
    DataSourceState desired() {
        return desired;
    }
}
