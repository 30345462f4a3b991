package dev.bluegreen.datasource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * An application thread for the integration tests: commits numbered rows into {@code ledger} through a
 * DataSource, one transaction each (optionally holding it open for {@code holdMs}), and records every
 * acknowledged row with the port of the server that acknowledged it, and every error.
 */
final class LedgerWriter implements Runnable {

    /** One acknowledged commit: {@code n} of writer {@code writer}, on the server listening on {@code port}. */
    record Ack(int writer, int n, int port) {
    }

    private final DataSource dataSource;
    private final int writer;
    private final double holdSeconds;
    private final List<Ack> acks = new CopyOnWriteArrayList<>();
    private final List<SQLException> errors = new CopyOnWriteArrayList<>();
    private final AtomicBoolean inTransaction = new AtomicBoolean();
    private volatile boolean stopped;
    private Thread thread;

    LedgerWriter(DataSource dataSource, int writer, long holdMs) {
        this.dataSource = dataSource;
        this.writer = writer;
        this.holdSeconds = holdMs / 1000.0;
    }

    LedgerWriter start() {
        thread = new Thread(this, "ledger-writer-" + writer);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Stops after the current transaction and waits for it. */
    void stop() throws InterruptedException {
        stopped = true;
        thread.join(60_000);
    }

    @Override
    public void run() {
        int n = 0;
        while (!stopped) {
            n++;
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                int port = insert(c, n);
                if (holdSeconds > 0) {
                    inTransaction.set(true);
                    try (PreparedStatement sleep = c.prepareStatement("SELECT pg_sleep(?)")) {
                        sleep.setDouble(1, holdSeconds);
                        sleep.execute();
                    }
                }
                c.commit();
                acks.add(new Ack(writer, n, port));
            } catch (SQLException e) {
                errors.add(e);
            } finally {
                inTransaction.set(false);
            }
            pause();
        }
    }

    private int insert(Connection c, int n) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ledger (writer, n) VALUES (?, ?) RETURNING inet_server_port()")) {
            ps.setInt(1, writer);
            ps.setInt(2, n);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return acknowledged commits, in commit order */
    List<Ack> acks() {
        return List.copyOf(acks);
    }

    /** @return acknowledged commits on the server listening on {@code port} */
    long acksOn(int port) {
        return acks.stream().filter(a -> a.port() == port).count();
    }

    /** @return errors seen by the writer */
    List<SQLException> errors() {
        return List.copyOf(errors);
    }

    @Override
    public String toString() {
        return "writer " + writer;
    }

    /** @return whether the writer holds an open transaction (only for writers with a hold time) */
    boolean inTransaction() {
        return inTransaction.get();
    }
}
