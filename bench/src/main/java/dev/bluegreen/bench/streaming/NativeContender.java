package dev.bluegreen.bench.streaming;

import dev.bluegreen.testkit.LocalPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The anchor: PostgreSQL's own logical replication, with its defaults. Blue has the publication
 * {@value #PUBLICATION} over the replicated tables (created by {@link StreamPair}); each {@link #start}
 * creates a subscription on green with {@code copy_data = false} (green already holds the data),
 * which creates its slot on blue at blue's current position; {@link #pause} is {@code ALTER
 * SUBSCRIPTION ... DISABLE} (waits until the apply worker and its walsender are gone), {@link #resume}
 * is {@code ENABLE}, {@link #close} is {@code DROP SUBSCRIPTION} (which drops the slot). Not thread-safe.
 */
final class NativeContender implements Contender {

    /** The publication on blue. */
    static final String PUBLICATION = "bench_native";

    private final LocalPostgres blue;
    private final LocalPostgres green;
    private final String db;
    private String subscription;

    NativeContender(LocalPostgres blue, LocalPostgres green, String db) {
        this.blue = blue;
        this.green = green;
        this.db = db;
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    public void start(String run, Path dir) throws SQLException {
        subscription = "bench_sub_" + run;
        green.execute(db, "CREATE SUBSCRIPTION " + subscription + " CONNECTION 'host=127.0.0.1 port=" + blue.port()
                + " user=postgres dbname=" + db + "' PUBLICATION " + PUBLICATION + " WITH (copy_data = false)");
    }

    @Override
    public void pause() throws Exception {
        green.execute(db, "ALTER SUBSCRIPTION " + subscription + " DISABLE");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (workerRunning()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the apply worker of " + subscription + " did not stop within 30 s");
            }
            Thread.sleep(20);
        }
    }

    /** Whether green's apply worker or blue's walsender for the slot is still alive. */
    private boolean workerRunning() throws SQLException {
        try (Connection g = green.connect(db); Statement st = g.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM pg_stat_subscription WHERE subname = '" + subscription + "' AND pid IS NOT NULL")) {
            rs.next();
            if (rs.getLong(1) > 0) {
                return true;
            }
        }
        try (Connection b = blue.connect(db); Statement st = b.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + subscription + "' AND active")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    @Override
    public void resume() throws SQLException {
        green.execute(db, "ALTER SUBSCRIPTION " + subscription + " ENABLE");
    }

    @Override
    public List<Proc> processes() {
        return List.of();
    }

    @Override
    public void close() throws SQLException {
        if (subscription != null) {
            green.execute(db, "DROP SUBSCRIPTION IF EXISTS " + subscription);
            subscription = null;
        }
    }
}
