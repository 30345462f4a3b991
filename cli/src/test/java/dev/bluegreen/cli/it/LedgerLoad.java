package dev.bluegreen.cli.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application of the cutover tests: {@code clients} threads, each committing numbered
 * transactions (a ledger row and an update of the client's balance row) and recording every
 * acknowledged one with the server port that acknowledged it ({@code inet_server_port()}, MariaDB's
 * {@code @@port}, read inside the same transaction, so through PgBouncer too). It speaks blue's schema on
 * blue's port and green's overhauled schema on green's, as an application deployed for the cutover would. Every error is
 * recorded, never retried silently. Thread-safe; a plain helper, not a test base.
 */
final class LedgerLoad implements AutoCloseable {

    /** Where connections come from: a JDBC URL held per client, or a DataSource borrowed per transaction. */
    interface Connections {
        Connection open() throws SQLException;

        /** True: borrow a connection for every transaction and close it after; false: one per client. */
        boolean perTransaction();
    }

    /** One acknowledged transaction. */
    record Ack(int client, int seq, long id, int port, long ackedAtMs, long latencyMs) {
    }

    private final Connections connections;
    private final int bluePort;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Ack> acks = Collections.synchronizedList(new ArrayList<>());
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong maxLatencyMs = new AtomicLong();
    private final boolean balanceFirst;
    private final String blueSchema;
    private long thinkMs = 5;

    LedgerLoad(Connections connections, int bluePort, int clients) {
        this(connections, bluePort, clients, false);
    }

    /**
     * @param balanceFirst update the balance row, wait 50 ms, then insert the ledger row (the reverse of
     *     the mapping's table order, in which a coordinator locking the tables one by one deadlocks)
     */
    LedgerLoad(Connections connections, int bluePort, int clients, boolean balanceFirst) {
        this(connections, bluePort, "public", clients, balanceFirst);
    }

    /**
     * @param blueSchema blue's schema (a MariaDB blue: its database) holding {@code ledger} and {@code balance}
     */
    LedgerLoad(Connections connections, int bluePort, String blueSchema, int clients, boolean balanceFirst) {
        this.blueSchema = blueSchema;
        this.connections = connections;
        this.bluePort = bluePort;
        this.balanceFirst = balanceFirst;
        for (int c = 1; c <= clients; c++) {
            int client = c;
            Thread t = new Thread(() -> runClient(client), "ledger-client-" + c);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    /** Creates blue's tables (with {@code clients} balance rows) and grants the application role its writes. */
    static void createBlue(Connection blue, String role, int clients) throws SQLException {
        try (Statement st = blue.createStatement()) {
            st.execute("CREATE TABLE ledger (id bigserial PRIMARY KEY, client int NOT NULL, seq int NOT NULL, note text,"
                    + " UNIQUE (client, seq))");
            st.execute("CREATE TABLE balance (client int PRIMARY KEY, total bigint NOT NULL, updates int NOT NULL)");
            st.execute("INSERT INTO balance SELECT c, 0, 0 FROM generate_series(1, " + clients + ") c");
            st.execute("INSERT INTO ledger (client, seq, note) SELECT 0, s, 'before' FROM generate_series(1, 500) s");
            st.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ledger, balance TO " + role);
            st.execute("GRANT USAGE ON SEQUENCE ledger_id_seq TO " + role);
        }
    }

    /**
     * Creates a MariaDB blue's tables in {@code database} (with {@code clients} balance rows, an AUTO_INCREMENT
     * ledger key) and grants the application user (every host) its writes there.
     */
    static void createMariaDbBlue(Connection blue, String database, String user, int clients) throws SQLException {
        try (Statement st = blue.createStatement()) {
            st.execute("CREATE TABLE " + database + ".ledger (id BIGINT AUTO_INCREMENT PRIMARY KEY, client INT NOT NULL,"
                    + " seq INT NOT NULL, note TEXT, UNIQUE KEY client_seq (client, seq)) ENGINE=InnoDB");
            st.execute("CREATE TABLE " + database + ".balance (client INT PRIMARY KEY, total BIGINT NOT NULL,"
                    + " updates INT NOT NULL) ENGINE=InnoDB");
            st.execute("INSERT INTO " + database + ".balance SELECT seq, 0, 0 FROM seq_1_to_" + clients);
            st.execute("INSERT INTO " + database + ".ledger (client, seq, note) SELECT 0, seq, 'before' FROM seq_1_to_500");
            st.execute("CREATE USER IF NOT EXISTS '" + user + "'@'%'");
            st.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + database + ".* TO '" + user + "'@'%'");
        }
    }

    /** Creates green's overhauled tables; the application role gets nothing (the cutover grants it). */
    static void createGreen(Connection green) throws SQLException {
        try (Statement st = green.createStatement()) {
            st.execute("CREATE SCHEMA app");
            st.execute("CREATE TABLE app.entry (entry_id bigserial PRIMARY KEY, client_id int NOT NULL, seq_no int NOT NULL,"
                    + " note varchar(40), UNIQUE (client_id, seq_no))");
            st.execute("CREATE TABLE app.balance (client_id int PRIMARY KEY, total bigint NOT NULL, updates int NOT NULL)");
        }
    }

    /**
     * Sets the pause between one client's transactions (default 5 ms), before {@link #start}.
     *
     * @param ms pause, ms
     */
    LedgerLoad thinkTime(long ms) {
        this.thinkMs = ms;
        return this;
    }

    LedgerLoad start() {
        threads.forEach(Thread::start);
        return this;
    }

    /** Stops every client after its current transaction and waits for them. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
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

    long maxLatencyMs() {
        return maxLatencyMs.get();
    }

    /** Acknowledged transactions so far. */
    int ackCount() {
        return acks.size();
    }

    private void runClient(int client) {
        Connection held = null;
        int seq = 0;
        while (running.get()) {
            seq++;
            long t0 = System.nanoTime();
            Connection c = null;
            try {
                c = held != null ? held : connections.open();
                c.setAutoCommit(false);
                Ack ack = transaction(c, client, seq, t0);
                acks.add(ack);
                maxLatencyMs.accumulateAndGet(ack.latencyMs(), Math::max);
                if (!connections.perTransaction()) {
                    held = c;
                    c = null;
                }
            } catch (SQLException e) {
                errors.add("client " + client + " seq " + seq + ": " + e.getMessage() + " (SQLState " + e.getSQLState()
                        + ")");
                // a failed session is never reused; a fresh one that failed its first transaction is closed too (it
                // used to be dropped unclosed: after a flip, every retry leaked one until blue ran out of connections)
                Connection failed = c != null ? c : held;
                rollbackQuietly(failed);
                closeQuietly(failed);
                held = null;
                c = null;
            } finally {
                if (c != null && connections.perTransaction()) {
                    closeQuietly(c);
                }
            }
            sleep(thinkMs);
        }
        closeQuietly(held);
    }

    private Ack transaction(Connection c, int client, int seq, long t0) throws SQLException {
        boolean postgres = "PostgreSQL".equals(c.getMetaData().getDatabaseProductName());
        int port;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(postgres ? "SELECT inet_server_port()" : "SELECT @@port")) {
            rs.next();
            port = rs.getInt(1);
        }
        boolean blue = port == bluePort;
        long id;
        if (balanceFirst) {
            updateBalance(c, blue, client, seq, port);
            try (Statement st = c.createStatement()) {
                // mid-transaction most of the time, holding balance
                st.execute(postgres ? "SELECT pg_sleep(0.05)" : "SELECT SLEEP(0.05)");
            }
            id = insertLedger(c, blue, client, seq);
        } else {
            id = insertLedger(c, blue, client, seq);
            updateBalance(c, blue, client, seq, port);
        }
        c.commit();
        long latency = (System.nanoTime() - t0) / 1_000_000;
        return new Ack(client, seq, id, port, System.currentTimeMillis(), latency);
    }

    private long insertLedger(Connection c, boolean blue, int client, int seq) throws SQLException {
        try (PreparedStatement ins = c.prepareStatement(blue
                ? "INSERT INTO " + blueSchema + ".ledger (client, seq, note) VALUES (?, ?, ?) RETURNING id"
                : "INSERT INTO app.entry (client_id, seq_no, note) VALUES (?, ?, ?) RETURNING entry_id")) {
            ins.setInt(1, client);
            ins.setInt(2, seq);
            ins.setString(3, "client " + client + " #" + seq);
            try (ResultSet rs = ins.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void updateBalance(Connection c, boolean blue, int client, int seq, int port) throws SQLException {
        try (PreparedStatement upd = c.prepareStatement(blue
                ? "UPDATE " + blueSchema + ".balance SET total = total + ?, updates = updates + 1 WHERE client = ?"
                : "UPDATE app.balance SET total = total + ?, updates = updates + 1 WHERE client_id = ?")) {
            upd.setInt(1, seq);
            upd.setInt(2, client);
            if (upd.executeUpdate() != 1) {
                throw new SQLException("balance row of client " + client + " missing on port " + port, "02000");
            }
        }
    }

    private static void rollbackQuietly(Connection c) {
        if (c != null) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the connection is broken; it is closed next
            }
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // nothing to do
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
