package dev.bluegreen.cli.demo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The demo's application: one thread committing one transaction every {@link #INTERVAL_MS} ms through
 * PgBouncer as the application role. Each transaction first reads {@code inet_server_port()} (the server
 * PgBouncer routed it to), then writes one transfer in that server's schema, as an application deployed
 * for the cutover would: on blue a {@code pgbench_history} row (account {@code seq}, delta 1, filler
 * {@code probe}), on green a {@code bank.transfer} row (account {@code seq}, 100 cents), and commits.
 * Every acknowledged commit is recorded with its port and id, every error with its SQLState; nothing is
 * retried silently (after an error the connection is replaced and the next transaction has a new seq).
 *
 * <p>Thread-safety: {@link #start()} and {@link #close()} from one thread; the accessors from any thread.
 */
final class Probe implements AutoCloseable {

    /** Time between the starts of two transactions (ms). */
    static final long INTERVAL_MS = 10;

    /** One acknowledged transaction: its number, the id the server gave the row, the server's port, when. */
    record Ack(int seq, long id, int port, long ackedAtNanos) {
    }

    private static final String BLUE_INSERT = "INSERT INTO public.pgbench_history (tid, bid, aid, delta, mtime, filler)"
            + " VALUES (1, 1, ?, 1, now(), 'probe') RETURNING hid";
    private static final String GREEN_INSERT = "INSERT INTO bank.transfer (teller_id, branch_id, account_id,"
            + " amount_cents, created_at) VALUES (1, 1, ?, 100, now()) RETURNING transfer_id";

    private final String jdbcUrl;
    private final String user;
    private final int bluePort;
    private final int greenPort;
    private final List<Ack> acks = Collections.synchronizedList(new ArrayList<>());
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread = new Thread(this::run, "demo-probe");

    /**
     * @param jdbcUrl PgBouncer's JDBC URL (with {@code prepareThreshold=0})
     * @param user the application role (no password: the demo's servers trust local connections)
     */
    Probe(String jdbcUrl, String user, int bluePort, int greenPort) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.bluePort = bluePort;
        this.greenPort = greenPort;
        thread.setDaemon(true);
    }

    Probe start() {
        thread.start();
        return this;
    }

    /**
     * Waits until {@code count} transactions were acknowledged.
     *
     * @throws IllegalStateException when that takes longer than {@code timeout} (the errors so far are named)
     */
    void awaitAcks(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (acks.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the probe application committed " + acks.size() + " of " + count
                        + " transactions through PgBouncer in " + timeout.toSeconds() + " s; its errors: " + errors());
            }
            Thread.sleep(INTERVAL_MS);
        }
    }

    /** Stops after the current transaction and waits for the thread (at most 30 s). */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(TimeUnit.SECONDS.toMillis(30));
    }

    List<Ack> acks() {
        synchronized (acks) {
            return List.copyOf(acks);
        }
    }

    List<String> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    /** Acknowledged transactions whose server was the given port. */
    List<Ack> acksOn(int port) {
        return acks().stream().filter(a -> a.port() == port).toList();
    }

    /** The longest time between two consecutive acknowledgements (ms): the pause a client felt; 0 if fewer than 2. */
    long longestGapMs() {
        List<Ack> all = acks();
        long longest = 0;
        for (int i = 1; i < all.size(); i++) {
            longest = Math.max(longest, all.get(i).ackedAtNanos() - all.get(i - 1).ackedAtNanos());
        }
        return TimeUnit.NANOSECONDS.toMillis(longest);
    }

    private void run() {
        Connection c = null;
        int seq = 0;
        long next = System.nanoTime();
        while (running.get()) {
            seq++;
            try {
                if (c == null) {
                    c = DriverManager.getConnection(jdbcUrl, user, "");
                    c.setAutoCommit(false);
                }
                acks.add(transaction(c, seq));
            } catch (SQLException e) {
                errors.add("transaction " + seq + ": " + e.getMessage() + " (SQLState " + e.getSQLState() + ")");
                closeQuietly(c);
                c = null;
            }
            next = Math.max(next + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS), System.nanoTime());
            sleepUntil(next);
        }
        closeQuietly(c);
    }

    private Ack transaction(Connection c, int seq) throws SQLException {
        int port;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT inet_server_port()")) {
            rs.next();
            port = rs.getInt(1);
        }
        if (port != bluePort && port != greenPort) {
            c.rollback();
            throw new SQLException("PgBouncer routed the transaction to port " + port + ", neither blue (" + bluePort
                    + ") nor green (" + greenPort + ")");
        }
        long id;
        try (PreparedStatement ps = c.prepareStatement(port == bluePort ? BLUE_INSERT : GREEN_INSERT)) {
            ps.setInt(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        c.commit();
        return new Ack(seq, id, port, System.nanoTime());
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close(); // an open transaction is rolled back by the server
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
                running.set(false); // interrupted: stop like close()
            }
        }
    }
}
