package dev.bluegreen.bench.anchor;

import dev.bluegreen.testkit.LocalPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/** The anchor's replication slot and publication on blue (both named after the run's id). */
final class ReplicationSlot {

    private ReplicationSlot() {
    }

    /** @return whether the slot exists and a walsender streams from it */
    static boolean active(LocalPostgres blue, String db, String slot) throws SQLException {
        try (Connection c = blue.connect(db); PreparedStatement st = c.prepareStatement(
                "SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            st.setString(1, slot);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** Drops the slot (ending its walsender if a dead worker left it active) and the publication; logs failures. */
    static void drop(LocalPostgres blue, String db, String slot) {
        try (Connection c = blue.connect(db); PreparedStatement st = c.prepareStatement(
                "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = ? AND active")) {
            st.setString(1, slot);
            st.execute();
            for (int i = 0; i < 50; i++) {
                try (PreparedStatement drop = c.prepareStatement("SELECT pg_drop_replication_slot(slot_name)"
                        + " FROM pg_replication_slots WHERE slot_name = ?")) {
                    drop.setString(1, slot);
                    drop.execute();
                    break;
                } catch (SQLException stillActive) {
                    ConnectWorker.sleep(Duration.ofMillis(100)); // the walsender takes a moment to release it
                }
            }
            c.createStatement().execute("DROP PUBLICATION IF EXISTS " + slot);
        } catch (SQLException e) {
            System.err.println("could not drop replication slot or publication " + slot + " on blue: " + e);
        }
    }
}
