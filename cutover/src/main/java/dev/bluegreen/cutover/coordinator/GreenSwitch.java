package dev.bluegreen.cutover.coordinator;

import static dev.bluegreen.cutover.coordinator.BlueFreeze.quote;
import static dev.bluegreen.cutover.coordinator.BlueFreeze.quoteIdent;

import dev.bluegreen.core.event.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Green's side of the flip, in ONE green transaction committed only once the router flipped: every
 * green sequence (serial or identity) backing a key column of a mapped target is set past the highest
 * value blue could have handed out, plus a safety gap (logical replication does not carry sequences, so
 * without this the first insert on green collides), and the application role gets write privileges on
 * the targets and those sequences. Not thread-safe.
 */
final class GreenSwitch {

    /** One sequence moved: which, from which value to which. */
    record SequenceMove(String sequence, String greenColumn, long before, long after) {
    }

    private GreenSwitch() {
    }

    /**
     * Moves the green sequences of the targets' key columns to
     * {@code max(blue sequences of the blue key columns, max(green column), green sequence) + gap}.
     *
     * @param green a connection in the caller's open transaction
     * @param blue a blue connection (blue is frozen, so its values no longer move)
     * @return the sequences moved
     */
    static List<SequenceMove> moveSequences(Connection green, Connection blue, List<CutoverTable> targets, long gap)
            throws SQLException {
        List<SequenceMove> moves = new ArrayList<>();
        for (CutoverTable t : targets) {
            long blueHigh = 0;
            for (String c : t.blueKeyColumns()) {
                String seq = serialSequence(blue, t.blue(), c);
                if (seq != null) {
                    blueHigh = Math.max(blueHigh, lastValue(blue, seq));
                }
            }
            for (String c : t.greenKeyColumns()) {
                String seq = serialSequence(green, t.green(), c);
                if (seq == null) {
                    continue;
                }
                long greenMax;
                try (Statement st = green.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT coalesce(max(" + quoteIdent(c) + ")::bigint, 0) FROM " + quote(t.green()))) {
                    rs.next();
                    greenMax = rs.getLong(1);
                }
                long before = lastValue(green, seq);
                long after = Math.max(Math.max(blueHigh, greenMax), before) + gap;
                try (PreparedStatement ps = green.prepareStatement("SELECT setval(?::regclass, ?, true)")) {
                    ps.setString(1, seq);
                    ps.setLong(2, after);
                    ps.execute();
                }
                moves.add(new SequenceMove(seq, t.green() + "." + c, before, after));
            }
        }
        return moves;
    }

    /** Grants the role writes on the targets and use of their key sequences. */
    static void grantWrites(Connection green, String role, List<CutoverTable> targets, List<SequenceMove> sequences)
            throws SQLException {
        try (Statement st = green.createStatement()) {
            for (CutoverTable t : targets) {
                st.execute("GRANT USAGE ON SCHEMA " + quoteIdent(t.green().schema()) + " TO " + quoteIdent(role));
                st.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + quote(t.green()) + " TO " + quoteIdent(role));
            }
            for (SequenceMove s : sequences) {
                st.execute("GRANT USAGE, SELECT, UPDATE ON SEQUENCE " + s.sequence() + " TO " + quoteIdent(role));
            }
        }
    }

    /**
     * Green targets the role can already write (pre-check: green must not be writable by the
     * application before the flip, or it could write to both).
     */
    static List<String> writableBy(Connection green, String role, List<CutoverTable> targets) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = green.prepareStatement(
                "SELECT has_table_privilege(?, ?, 'INSERT, UPDATE, DELETE, TRUNCATE')")) {
            for (CutoverTable t : targets) {
                ps.setString(1, role);
                ps.setString(2, quote(t.green()));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        out.add(t.green().toString());
                    }
                }
            }
        }
        return out;
    }

    /** The sequences that would move, with their current values, without moving them (dry run). */
    static List<String> describeSequences(Connection green, List<CutoverTable> targets) throws SQLException {
        List<String> out = new ArrayList<>();
        for (CutoverTable t : targets) {
            for (String c : t.greenKeyColumns()) {
                String seq = serialSequence(green, t.green(), c);
                if (seq != null) {
                    out.add(seq + " (" + t.green() + "." + c + ", now " + lastValue(green, seq) + ")");
                }
            }
        }
        return out;
    }

    static Map<String, Long> sequenceValues(Connection c, List<String> sequences) throws SQLException {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (String s : sequences) {
            out.put(s, lastValue(c, s));
        }
        return out;
    }

    private static String serialSequence(Connection c, TableId table, String column) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_get_serial_sequence(?, ?)")) {
            ps.setString(1, quote(table));
            ps.setString(2, column);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static long lastValue(Connection c, String sequence) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT last_value FROM " + sequence)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
