package dev.bluegreen.datasource;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The gate in front of the current pool: application threads {@link #enter} it to borrow from the pool
 * and {@link #leave} when the pool has answered; the route follower {@link #shut}s it for a freeze and
 * {@link #open}s it on a pool again.
 *
 * <p>Why it exists: a suspended HikariCP pool blocks {@code getConnection()} uninterruptibly and without
 * a timeout, so no thread may reach a pool that is, or is about to be, suspended. The follower suspends
 * only a pool behind a shut gate with {@link #inFlight()} at 0, and callers wait here instead, with their
 * own deadline.
 *
 * <p>Thread-safety: every method is safe from any thread; one lock guards the state, and waiting callers
 * are woken on every change.
 *
 * @param <P> the pool type (a {@code HikariDataSource} in production)
 */
final class ConnectionGate<P> {

    /** What a caller that waited in vain is told: the state at its deadline. */
    record Shut(String reason, boolean terminated) {
    }

    /** Thrown by {@link #enter} when the deadline passes or the gate is terminated. */
    static final class NotAdmittedException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Shut state;

        NotAdmittedException(Shut state) {
            super(state.reason(), null, false, false);
            this.state = state;
        }

        Shut state() {
            return state;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final LongAdder waitedCalls = new LongAdder();
    private final LongAdder refusedCalls = new LongAdder();
    private P pool;
    private boolean open;
    private String shutReason;
    private boolean terminated;
    private int inFlight;

    /** Starts open on {@code pool}. */
    ConnectionGate(P pool) {
        this.pool = requireNonNull(pool, "pool is null");
        this.open = true;
    }

    /**
     * Waits until the gate is open, then counts the caller in flight; the caller must call {@link #leave()}
     * once the pool has answered (in a {@code finally}).
     *
     * @param deadlineNanos {@link System#nanoTime()} after which to give up
     * @return the pool to borrow from
     * @throws NotAdmittedException if the deadline passed with the gate shut, or the gate is terminated
     * @throws InterruptedException if interrupted while waiting
     */
    P enter(long deadlineNanos) throws NotAdmittedException, InterruptedException {
        lock.lock();
        try {
            boolean waited = false;
            while (!open && !terminated) {
                long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    refusedCalls.increment();
                    throw new NotAdmittedException(new Shut(shutReason, false));
                }
                if (!waited) {
                    waited = true;
                    waitedCalls.increment();
                }
                changed.awaitNanos(remaining);
            }
            if (terminated) {
                throw new NotAdmittedException(new Shut(shutReason, true));
            }
            inFlight++;
            return pool;
        } finally {
            lock.unlock();
        }
    }

    /** Counts a caller of {@link #enter} out again. */
    void leave() {
        lock.lock();
        try {
            inFlight--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Makes new callers wait; those in flight finish on the current pool. */
    void shut(String reason) {
        lock.lock();
        try {
            open = false;
            shutReason = requireNonNull(reason, "reason is null");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Points the gate at {@code newPool} and opens it; waiting callers proceed on it.
     *
     * @return the pool the gate pointed at before
     */
    P open(P newPool) {
        lock.lock();
        try {
            P old = pool;
            pool = requireNonNull(newPool, "newPool is null");
            open = true;
            changed.signalAll();
            return old;
        } finally {
            lock.unlock();
        }
    }

    /** Shuts the gate for good: every waiting and later caller is refused at once. */
    void terminate(String reason) {
        lock.lock();
        try {
            open = false;
            terminated = true;
            shutReason = requireNonNull(reason, "reason is null");
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until no caller is in flight (they are inside the pool's {@code getConnection()}).
     *
     * @return true when none is in flight, false if the timeout passed first
     */
    boolean awaitNoneInFlight(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        lock.lock();
        try {
            while (inFlight > 0) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                changed.awaitNanos(remaining);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** @return callers inside the pool's {@code getConnection()} right now */
    int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /** @return whether new callers pass without waiting */
    boolean isOpen() {
        lock.lock();
        try {
            return open;
        } finally {
            lock.unlock();
        }
    }

    /** @return the pool the gate points at */
    P pool() {
        lock.lock();
        try {
            return pool;
        } finally {
            lock.unlock();
        }
    }

    /** @return calls of {@link #enter} that found the gate shut and waited, whatever the outcome */
    long waitedCalls() {
        return waitedCalls.sum();
    }

    /** @return calls of {@link #enter} whose deadline passed with the gate shut */
    long refusedCalls() {
        return refusedCalls.sum();
    }
}
