package dev.bluegreen.cutover.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bluegreen.core.event.TableId;
import dev.bluegreen.testkit.LocalMariaDb;
import dev.bluegreen.testkit.LocalMariaDbExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link MariaDbFreeze} against a real MariaDB: what its locks hold and release, how it yields to an application
 * transaction that writes the tables in another order, what a lock that cannot be had in time leaves behind, the
 * read-only switch after the flip, and a hung coordinator losing its locks by itself.
 */
@Tag("it-mariadb")
class MariaDbFreezeIT {

    @RegisterExtension
    static LocalMariaDbExtension server = new LocalMariaDbExtension("freeze");

    private final List<Connection> opened = new ArrayList<>();
    private final ExecutorService app = Executors.newCachedThreadPool();

    @AfterEach
    void closeAll() throws SQLException {
        app.shutdownNow();
        for (Connection c : opened) {
            c.close();
        }
    }

    @Test
    void locksHoldWritersUntilReleasedAndTheFenceIsInTheBinlog() throws Exception {
        String db = setUp("holds");
        try (MariaDbFreeze freeze = freeze(2)) {
            assertThat(freeze.lock(tables(db), Duration.ofMillis(500), Duration.ofSeconds(1))).isEqualTo(1);
            Future<Integer> write = app.submit(() -> update(asApp(db), "INSERT INTO ledger (client) VALUES (1)"));
            assertThatThrownBy(() -> write.get(300, TimeUnit.MILLISECONDS)).as("a writer waits while locked")
                    .isInstanceOf(TimeoutException.class);
            try (Statement st = asApp(db).createStatement()) {
                assertThat(st.executeQuery("SELECT count(*) FROM balance").next()).as("readers go on").isTrue();
            }
            BlueFreeze.Fence fence = freeze.fence("p");
            assertThat(fence.beats()).isEqualTo(1);
            assertThat(fence.lsn()).startsWith("gtid 0-1-");
            freeze.release();
            assertThat(write.get(5, TimeUnit.SECONDS)).as("the writer goes on after the release").isEqualTo(1);
        }
    }

    @Test
    void aLockNotGrantedInTimeFailsNamingTheTableAndLeavesNothingLocked() throws Exception {
        String db = setUp("timeout");
        Connection longTx = holdingBalance(db);
        try (MariaDbFreeze freeze = freeze(2)) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> freeze.lock(tables(db), Duration.ofMillis(300), Duration.ofSeconds(1)))
                    .isInstanceOf(SQLException.class).hasMessageContaining(db + ".balance");
            assertThat((System.nanoTime() - t0) / 1_000_000).as("gave up within the lock timeout plus one slice")
                    .isLessThan(300 + MariaDbFreeze.LOCK_SLICE_MS + 500);
            assertThat(app.submit(() -> update(asApp(db), "INSERT INTO ledger (client) VALUES (2)"))
                    .get(5, TimeUnit.SECONDS)).as("ledger is not left locked").isEqualTo(1);
        }
        longTx.commit();
    }

    /**
     * The application holds balance and then writes ledger; the freeze asks for ledger, then balance. One LOCK
     * TABLES over both makes the application the deadlock victim (error 1213); the per-table sessions yield and
     * retry with balance first, and the application commits.
     */
    @Test
    void aWriterInAnotherTableOrderIsNeverTheDeadlockVictim() throws Exception {
        String db = setUp("lockorder");
        Connection tx = holdingBalance(db);
        try (MariaDbFreeze freeze = freeze(2)) {
            CompletableFuture<Integer> attempts = CompletableFuture.supplyAsync(() -> {
                try {
                    return freeze.lock(tables(db), Duration.ofSeconds(3), Duration.ofSeconds(5));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitLockWait(db); // the freeze holds ledger and waits for balance
            update(tx, "INSERT INTO ledger (client) VALUES (3)"); // waits for ledger until the freeze yields
            tx.commit();
            assertThat(attempts.get(5, TimeUnit.SECONDS)).as("the freeze retried in the learned order")
                    .isGreaterThanOrEqualTo(2);
            freeze.release();
        }
    }

    @Test
    void afterTheFlipTheApplicationUserCannotWriteAndItsSessionsAreGone() throws Exception {
        String db = setUp("readonly");
        Connection open = asApp(db);
        update(open, "INSERT INTO ledger (client) VALUES (4)");
        try (MariaDbFreeze freeze = freeze(2)) {
            freeze.lock(tables(db), Duration.ofMillis(500), Duration.ofSeconds(1));
            String done = freeze.makeReadOnly("p", "app_" + db, tables(db));
            String undo = "GRANT INSERT, UPDATE, DELETE ON `" + db + "`.* TO 'app_" + db + "'@'%'";
            assertThat(done).contains("1 write grant(s)").contains(undo);
            assertThat(freeze.endSessions("app_" + db, Duration.ofSeconds(2))).isEqualTo(1);
            freeze.release();
            assertThatThrownBy(() -> update(open, "INSERT INTO ledger (client) VALUES (5)"))
                    .as("the open session was killed").isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> update(asApp(db), "INSERT INTO ledger (client) VALUES (6)"))
                    .as("a new session may not write").hasMessageContaining("denied");
            server.mariaDb().execute(db, undo);
            assertThat(update(asApp(db), "INSERT INTO ledger (client) VALUES (7)")).as("the undo works").isEqualTo(1);
        }
    }

    /** A writer queued behind the locks at the flip passed its privilege check: it is killed, and never commits. */
    @Test
    void aWriterQueuedBehindTheLocksIsKilledAndNeverCommits() throws Exception {
        String db = setUp("queued");
        try (MariaDbFreeze freeze = freeze(2)) {
            freeze.lock(tables(db), Duration.ofMillis(500), Duration.ofSeconds(5));
            Future<Integer> queued = app.submit(() -> update(asApp(db), "INSERT INTO ledger (client) VALUES (42)"));
            awaitLockWait(db);
            freeze.verifyHeld();
            freeze.makeReadOnly("p", "app_" + db, tables(db));
            assertThat(freeze.endSessions("app_" + db, Duration.ofSeconds(2))).isEqualTo(1);
            freeze.release();
            assertThatThrownBy(() -> queued.get(5, TimeUnit.SECONDS)).as("the queued writer failed")
                    .hasCauseInstanceOf(SQLException.class);
        }
        try (Connection c = server.mariaDb().connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM ledger WHERE client = 42")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the queued write never reached blue").isZero();
        }
    }

    /** A lock session ended behind the coordinator's back (KILL, network, idle timeout) is noticed. */
    @Test
    void aLostLockSessionIsNoticed() throws Exception {
        String db = setUp("lost");
        List<Connection> sessions = new ArrayList<>();
        sessions.add(server.mariaDb().connect(""));
        sessions.add(server.mariaDb().connect(""));
        long victim;
        try (Statement st = sessions.get(1).createStatement(); ResultSet rs = st.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            victim = rs.getLong(1);
        }
        try (MariaDbFreeze freeze = new MariaDbFreeze(sessions, server.mariaDb().connect(""))) {
            freeze.lock(tables(db), Duration.ofMillis(500), Duration.ofSeconds(5));
            freeze.verifyHeld();
            server.mariaDb().execute("", "KILL CONNECTION " + victim);
            assertThatThrownBy(freeze::verifyHeld).isInstanceOf(SQLException.class);
        }
    }

    /** The grants a revoke of the user's own cannot remove are refused before the freeze, naming the fix. */
    @Test
    void thePreCheckRefusesGrantsARevokeCannotRemove() throws Exception {
        String db = setUp("grants");
        LocalMariaDb m = server.mariaDb();
        String user = "app_" + db;
        try (Connection c = m.connect("")) {
            assertThat(MariaDbGrants.check(c, user, "root", tables(db))).contains("1 write grant(s)");
            m.execute("", "GRANT UPDATE ON " + db + ".balance TO '" + user + "'@'%'");
            assertThat(MariaDbGrants.writeGrants(c, user, tables(db))).extracting(MariaDbGrants.Grant::on)
                    .containsExactly("`" + db + "`.*", "`" + db + "`.`balance`");
            assertThatThrownBy(() -> MariaDbGrants.check(c, "APP_GRANTS", "root", tables(db)))
                    .as("user names compare exactly").hasMessageContaining("no account of user APP_GRANTS");
            assertThat(MariaDbGrants.writeGrants(c, "APP_GRANTS", tables(db))).isEmpty();
        }
        assertRefused(db, "GRANT INSERT ON *.* TO '" + user + "'@'%'", "REVOKE INSERT ON *.* FROM '" + user + "'@'%'",
                "global write privileges");
        assertRefused(db, "GRANT INSERT ON `gra%`.* TO '" + user + "'@'%'", "REVOKE INSERT ON `gra%`.* FROM '" + user
                + "'@'%'", "wildcard grant ON `gra%`.*");
        m.execute("", "CREATE DATABASE IF NOT EXISTS grxnts");
        assertRefused(db, "GRANT INSERT ON `gr_nts`.* TO '" + user + "'@'%'", "REVOKE INSERT ON `gr_nts`.* FROM '" + user
                + "'@'%'", "which also matches [grxnts]");
        assertRefused(db, "GRANT UPDATE (total) ON " + db + ".balance TO '" + user + "'@'%'", "REVOKE UPDATE (total) ON "
                + db + ".balance FROM '" + user + "'@'%'", "column-level [UPDATE]");
        assertRefused(db, "GRANT INSERT ON " + db + ".* TO PUBLIC", "REVOKE INSERT ON " + db + ".* FROM PUBLIC",
                "PUBLIC holds [INSERT]");
        assertRefused(db, "CREATE ROLE IF NOT EXISTS writer_" + db + "; GRANT writer_" + db + " TO '" + user + "'@'%'",
                "REVOKE writer_" + db + " FROM '" + user + "'@'%'", "holds role writer_" + db);
    }

    private void assertRefused(String db, String grant, String revoke, String message) throws Exception {
        LocalMariaDb m = server.mariaDb();
        m.execute("", grant);
        try (Connection c = m.connect("")) {
            assertThatThrownBy(() -> MariaDbGrants.check(c, "app_" + db, "root", tables(db))).as(grant)
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining(message);
        } finally {
            m.execute("", revoke);
        }
    }

    /**
     * Waits until a session waits for a metadata lock on a table of {@code db} (the freeze's lock sessions name the
     * database in their statement, the application's sessions are in it).
     */
    private static void awaitLockWait(String db) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (Connection c = server.mariaDb().connect(""); PreparedStatement ps = c.prepareStatement("SELECT count(*)"
                + " FROM information_schema.PROCESSLIST WHERE STATE = 'Waiting for table metadata lock' AND (DB = ?"
                + " OR INFO LIKE ?)")) {
            ps.setString(1, db);
            ps.setString(2, "%`" + db + "`%");
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                assertThat(System.nanoTime()).as("a session waits for a table lock").isLessThan(deadline);
                Thread.sleep(5);
            }
        }
    }

    @Test
    void aHungCoordinatorLosesItsLocksToTheServer() throws Exception {
        String db = setUp("hung");
        try (MariaDbFreeze freeze = freeze(2)) {
            // max-freeze 500 ms: the lock sessions are closed after ceil(0.5 + 2) = 3 s idle
            freeze.lock(tables(db), Duration.ofMillis(500), Duration.ofMillis(500));
            long t0 = System.nanoTime();
            Future<Integer> write = app.submit(() -> update(asApp(db), "INSERT INTO ledger (client) VALUES (8)"));
            assertThat(write.get(15, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat((System.nanoTime() - t0) / 1_000_000).as("the writer waited for the idle timeout")
                    .isGreaterThan(1_500);
        } // close: UNLOCK on the closed sessions fails quietly
    }

    private String setUp(String db) throws SQLException {
        LocalMariaDb m = server.mariaDb();
        m.createDatabase(db);
        m.execute(db, "CREATE TABLE ledger (id BIGINT AUTO_INCREMENT PRIMARY KEY, client INT) ENGINE=InnoDB");
        m.execute(db, "CREATE TABLE balance (client INT PRIMARY KEY, total BIGINT NOT NULL) ENGINE=InnoDB");
        m.execute(db, "INSERT INTO balance VALUES (1, 0)");
        m.execute("", "DROP USER IF EXISTS 'app_" + db + "'@'%'");
        m.execute("", "CREATE USER 'app_" + db + "'@'%'");
        m.execute("", "GRANT SELECT, INSERT, UPDATE, DELETE ON " + db + ".* TO 'app_" + db + "'@'%'");
        m.execute("", "CREATE DATABASE IF NOT EXISTS bluegreen");
        m.execute("", "CREATE TABLE IF NOT EXISTS bluegreen.heartbeat (pipeline VARCHAR(200) NOT NULL PRIMARY KEY,"
                + " beat_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), beats BIGINT NOT NULL) ENGINE=InnoDB");
        m.execute("", "REPLACE INTO bluegreen.heartbeat VALUES ('p', CURRENT_TIMESTAMP(6), 0)");
        return db;
    }

    /** An application transaction, left open, that has written balance (so it holds balance's metadata lock). */
    private Connection holdingBalance(String db) throws SQLException {
        Connection tx = asApp(db);
        tx.setAutoCommit(false);
        update(tx, "UPDATE balance SET total = total + 1 WHERE client = 1");
        return tx;
    }

    private static List<TableId> tables(String db) {
        return List.of(new TableId(db, "ledger"), new TableId(db, "balance"));
    }

    private MariaDbFreeze freeze(int sessions) throws SQLException {
        List<Connection> lockSessions = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            lockSessions.add(server.mariaDb().connect(""));
        }
        return new MariaDbFreeze(lockSessions, server.mariaDb().connect(""));
    }

    private Connection asApp(String db) throws SQLException {
        Connection c = DriverManager.getConnection(server.mariaDb().jdbcUrl(db), "app_" + db, "");
        synchronized (opened) {
            opened.add(c);
        }
        return c;
    }

    private static int update(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            return st.executeUpdate(sql);
        }
    }
}
