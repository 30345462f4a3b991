package dev.bluegreen.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client application's write probe for the cutover benchmark: one thread starting one autocommit
 * write every {@link #INTERVAL_MS} ms through PgBouncer, {@code INSERT INTO bench_probe (id, port) VALUES
 * (?, inet_server_port()) RETURNING port}, with its own increasing ids (1, 2, ...), so that afterwards
 * the ids each server acknowledged can be checked on both sides. Every write's start and end
 * ({@link System#nanoTime()}) is recorded with the server that acknowledged it, or with the error it got;
 * nothing is retried (after an error the connection is replaced and the next write has the next id).
 * When a write takes longer than the interval the next one starts at once (no catch-up burst).
 *
 * <p>Unlike the demo's probe ({@code cli/.../demo/Probe}, package-private, writing the demo's green
 * schema) this one writes the same table on both sides and keeps every write's timing.
 *
 * <p>Thread-safety: {@link #start()} and {@link #close()} from one thread; {@link #writes()} from any.
 */
final class WriteProbe implements AutoCloseable {

    /** Time between the starts of two writes (ms). */
    static final long INTERVAL_MS = 10;

    /** The probe table, the same on blue and green. */
    static final String DDL = "CREATE TABLE bench_probe (id bigint PRIMARY KEY, port integer NOT NULL,"
            + " written_at timestamptz NOT NULL DEFAULT now())";

    /**
     * One write.
     *
     * @param id the probe's own id
     * @param startNanos when it was sent ({@link System#nanoTime()})
     * @param endNanos when its acknowledgement (or error) came back
     * @param port the port of the server that acknowledged it; 0 when it failed
     * @param error the error with its SQLState, or null
     */
    record Write(long id, long startNanos, long endNanos, int port, String error) {
        boolean acknowledged() {
            return error == null;
        }
    }

    private final String jdbcUrl;
    private final String user;
    private final List<Write> writes = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread = new Thread(this::run, "bench-write-probe");

    /**
     * @param jdbcUrl PgBouncer's JDBC URL (with {@code prepareThreshold=0}: transaction pooling)
     * @param user the application role (trust authentication, no password)
     */
    WriteProbe(String jdbcUrl, String user) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        thread.setDaemon(true);
    }

    WriteProbe start() {
        thread.start();
        return this;
    }

    /** Stops after the current write and waits for the thread (at most 30 s). */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(TimeUnit.SECONDS.toMillis(30));
    }

    /** Every write so far, in the order sent. */
    List<Write> writes() {
        synchronized (writes) {
            return List.copyOf(writes);
        }
    }

    /**
     * The longest time between the end of one acknowledged write and the end of the next acknowledged one
     * whose end lies in {@code [fromNanos, toNanos]}, plus the first one ending after {@code toNanos} (ms);
     * 0 when there is no such pair.
     */
    static double longestGapMs(List<Write> writes, long fromNanos, long toNanos) {
        long longest = 0;
        long previous = Long.MIN_VALUE;
        for (Write w : writes) {
            if (!w.acknowledged()) {
                continue;
            }
            if (previous != Long.MIN_VALUE && w.endNanos() >= fromNanos) {
                longest = Math.max(longest, w.endNanos() - previous);
            }
            previous = w.endNanos();
            if (w.endNanos() > toNanos) {
                break;
            }
        }
        return longest / 1e6;
    }

    private void run() {
        Connection c = null;
        long id = 0;
        long next = System.nanoTime();
        while (running.get()) {
            id++;
            long start = System.nanoTime();
            try {
                if (c == null) {
                    c = DriverManager.getConnection(jdbcUrl, user, "");
                }
                int port = write(c, id);
                writes.add(new Write(id, start, System.nanoTime(), port, null));
            } catch (SQLException e) {
                writes.add(new Write(id, start, System.nanoTime(), 0, e.getMessage() + " (SQLState " + e.getSQLState() + ")"));
                closeQuietly(c);
                c = null;
            }
            next = Math.max(next + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS), System.nanoTime());
            sleepUntil(next);
        }
        closeQuietly(c);
    }

    private static int write(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO bench_probe (id, port) VALUES (?, inet_server_port()) RETURNING port")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the connection is broken already
            }
        }
    }

    private void sleepUntil(long nanos) {
        long wait = nanos - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.set(false);
            }
        }
    }
}
