package dev.bluegreen.datasource;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pools behind the {@link ConnectionGate}, and the moves between them: freeze (shut the gate, wait for
 * borrowed connections, suspend the pool), thaw (resume, open), and switch (open a pool on the other
 * target, swap it in behind the gate, retire the old one).
 *
 * <p>Every move is {@link #converge}: make the actual state equal a desired one, idempotently, so the route
 * follower can simply retry after a failure. Thread-safety: {@code converge} and {@link #close} are
 * synchronized (the follower's thread calls the first, the application the second); {@link #state()} and
 * {@link #gate()} may be read from any thread. Log lines go to the {@link SwitchableDataSource} logger.
 */
final class PoolSwitch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SwitchableDataSource.class);
    private static final long RETIRE_CHECK_MS = 50;

    private final SwitchableDataSourceConfig config;
    private final String pipeline;
    private final ConnectionGate<HikariDataSource> gate;
    private final ScheduledExecutorService retirer;
    private final Set<HikariDataSource> retiring = ConcurrentHashMap.newKeySet();
    private int generation;
    private boolean suspended;
    private boolean closed;
    private long frozenSinceNanos;
    private volatile DataSourceState state;

    private PoolSwitch(SwitchableDataSourceConfig config, HikariDataSource first, DataSourceState initial) {
        this.config = config;
        this.pipeline = config.pipeline();
        this.gate = new ConnectionGate<>(first);
        this.state = new DataSourceState(initial.target(), Phase.SERVING, initial.epoch(), initial.lapsed());
        this.retirer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bluegreen-" + pipeline + "-retire");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the first pool on {@code initial.target()} and, if {@code initial} is frozen, freezes it.
     *
     * @throws SQLException (SQLState 08001) if the pool cannot start, e.g. the database is unreachable
     */
    static PoolSwitch start(SwitchableDataSourceConfig config, DataSourceState initial) throws SQLException {
        requireNonNull(initial, "initial is null");
        HikariDataSource first = openPool(config, initial.target(), 1);
        PoolSwitch pools = new PoolSwitch(config, first, initial);
        pools.generation = 1;
        pools.converge(initial);
        LOG.info("{} - started {} with pool {}", config.pipeline(), pools.state.describe(), first.getPoolName());
        return pools;
    }

    /** @return the gate application threads pass to borrow */
    ConnectionGate<HikariDataSource> gate() {
        return gate;
    }

    /** @return the actual state (the target of the pool behind the gate, whether the gate is shut) */
    DataSourceState state() {
        return state;
    }

    /**
     * Makes the actual state equal {@code desired}; does nothing if it already does or after {@link #close}.
     * A freeze blocks for up to {@code drainDeadlineMs}; a switch for as long as the new pool takes to open
     * its first connection.
     *
     * @throws SQLException (SQLState 08001) if a pool on the desired target cannot start; the state is then
     *     unchanged (still frozen, or still serving on the old target) and the call may be retried
     */
    synchronized void converge(DataSourceState desired) throws SQLException {
        DataSourceState current = state;
        if (closed || desired.equals(current)) {
            return;
        }
        if (desired.phase() == Phase.FROZEN) {
            if (current.phase() == Phase.SERVING) {
                freeze(desired.epoch());
            }
            state = new DataSourceState(current.target(), Phase.FROZEN, desired.epoch(), false);
            return;
        }
        if (desired.target() != current.target()) {
            switchTo(desired);
        } else if (current.phase() == Phase.FROZEN) {
            thaw(desired);
        } else {
            LOG.info("{} - route epoch {}: still serving on {}", pipeline, desired.epoch(), desired.target().sqlName());
        }
        state = desired;
    }

    /** Shuts the gate for good at once (waiting callers are refused); {@link #close} then closes the pools. */
    void terminate() {
        gate.terminate("the switchable DataSource of pipeline '" + pipeline + "' is closed");
    }

    /** Terminates the gate and closes every pool, aborting borrowed connections; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        terminate();
        retirer.shutdownNow();
        retiring.forEach(HikariDataSource::close);
        retiring.clear();
        gate.pool().close();
        LOG.info("{} - closed", pipeline);
    }

    private void freeze(long epoch) {
        long start = System.nanoTime();
        frozenSinceNanos = start;
        gate.shut("writes are frozen for a cutover (route epoch " + epoch + ", connections go to "
                + state.target().sqlName() + ")");
        HikariDataSource pool = gate.pool();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(config.drainDeadlineMs());
        int borrowed = pool.getHikariPoolMXBean().getActiveConnections();
        boolean noneInFlight = false;
        int stillOut = borrowed;
        try {
            noneInFlight = gate.awaitNoneInFlight(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            stillOut = awaitReturned(pool.getHikariPoolMXBean(), deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            noneInFlight = gate.inFlight() == 0;
        }
        // Suspend only with nobody inside the pool's getConnection(): suspendPool() takes every permit of
        // Hikari's semaphore and would wait for such a caller (up to its connectionTimeout).
        if (noneInFlight) {
            pool.getHikariPoolMXBean().suspendPool();
            suspended = true;
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (stillOut == 0 && noneInFlight) {
            LOG.info("{} - frozen on {} (epoch {}): {} borrowed connection(s) came back in {} ms; pool {} suspended",
                    pipeline, state.target().sqlName(), epoch, borrowed, ms, pool.getPoolName());
        } else {
            LOG.warn("{} - frozen on {} (epoch {}): after drainDeadlineMs={} ms, {} connection(s) are still borrowed"
                    + " and {} caller(s) still inside getConnection(); they finish on {} (the coordinator's locks"
                    + " hold their writes){}", pipeline, state.target().sqlName(), epoch, config.drainDeadlineMs(),
                    stillOut, gate.inFlight(), state.target().sqlName(), noneInFlight ? "; pool suspended" : "");
        }
    }

    private static int awaitReturned(HikariPoolMXBean pool, long deadlineNanos) throws InterruptedException {
        int active;
        while ((active = pool.getActiveConnections()) > 0 && System.nanoTime() < deadlineNanos) {
            Thread.sleep(1);
        }
        return active;
    }

    private void thaw(DataSourceState desired) {
        HikariDataSource pool = gate.pool();
        if (suspended) {
            pool.getHikariPoolMXBean().resumePool();
            suspended = false;
        }
        gate.open(pool);
        LOG.info("{} - serving on {} again (epoch {}{}) after {} ms frozen", pipeline, desired.target().sqlName(),
                desired.epoch(), desired.lapsed() ? ", the coordinator went silent: lease lapsed" : "",
                frozenMs());
    }

    private void switchTo(DataSourceState desired) throws SQLException {
        DataSourceState current = state;
        HikariDataSource next;
        try {
            next = openPool(config, desired.target(), generation + 1);
        } catch (SQLException e) {
            if (current.phase() == Phase.FROZEN) {
                gate.shut("writes are frozen for a cutover (route epoch " + desired.epoch() + "), and the switch to "
                        + desired.target().sqlName() + " is waiting for its database: " + e.getMessage());
            }
            throw e;
        }
        generation++;
        if (current.phase() == Phase.SERVING) {
            // a short pause so that nobody is left inside the old pool's getConnection() once it retires
            gate.shut("switching from " + current.target().sqlName() + " to " + desired.target().sqlName());
            awaitNoneInFlightQuietly();
        }
        HikariDataSource old = gate.open(next);
        suspended = false;
        LOG.info("{} - serving on {} (epoch {}) with pool {}{}; retiring pool {} on {}", pipeline,
                desired.target().sqlName(), desired.epoch(), next.getPoolName(),
                current.phase() == Phase.FROZEN ? " after " + frozenMs() + " ms frozen" : "", old.getPoolName(),
                current.target().sqlName());
        retire(old, current.target());
    }

    private void awaitNoneInFlightQuietly() {
        try {
            gate.awaitNoneInFlight(config.drainDeadlineMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void retire(HikariDataSource old, Target target) {
        old.getHikariPoolMXBean().softEvictConnections();
        retiring.add(old);
        retireStep(old, target, System.nanoTime());
    }

    private void retireStep(HikariDataSource old, Target target, long sinceNanos) {
        HikariPoolMXBean mx = old.getHikariPoolMXBean();
        int borrowed = mx == null ? 0 : mx.getActiveConnections();
        boolean idle = borrowed == 0 && (mx == null || mx.getThreadsAwaitingConnection() == 0);
        boolean graceOver = System.nanoTime() - sinceNanos >= TimeUnit.MILLISECONDS.toNanos(config.retireGraceMs());
        if (idle || graceOver) {
            if (retiring.remove(old)) {
                old.close();
                LOG.info("{} - closed pool {} on {}{}", pipeline, old.getPoolName(), target.sqlName(), borrowed == 0
                        ? "" : " after retireGraceMs=" + config.retireGraceMs() + " ms, aborting " + borrowed
                        + " connection(s) still borrowed");
            }
            return;
        }
        try {
            retirer.schedule(() -> retireStep(old, target, sinceNanos), RETIRE_CHECK_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: close() closes every pool still retiring
        }
    }

    private long frozenMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenSinceNanos);
    }

    private static HikariDataSource openPool(SwitchableDataSourceConfig config, Target target, int generation)
            throws SQLException {
        HikariConfig settings = config.poolConfig(target);
        settings.setAllowPoolSuspension(true);
        String base = settings.getPoolName() != null ? settings.getPoolName()
                : "bluegreen-" + config.pipeline() + "-" + target.sqlName();
        settings.setPoolName(base + "-" + generation);
        try {
            return new HikariDataSource(settings);
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new SQLTransientConnectionException("bluegreen pipeline '" + config.pipeline()
                    + "': cannot open a connection pool on " + target.sqlName() + " (" + settings.getJdbcUrl()
                    + "): " + cause.getMessage() + "; check that the database is up and the "
                    + target.sqlName() + " pool settings are right", "08001", e);
        }
    }
}
