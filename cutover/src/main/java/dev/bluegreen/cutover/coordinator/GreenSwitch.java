package dev.bluegreen.cutover.coordinator;

import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.dialect.postgres.PostgresDialect;
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

    private static final PostgresDialect D = PostgresDialect.INSTANCE;

    /** One sequence moved: which, from which value to which. */
    record SequenceMove(String sequence, String greenColumn, long before, long after) {
    }

    private GreenSwitch() {
    }

    /**
     * The catalog side of {@link #moveSequences}, looked up before the freeze (names do not move while the freeze
     * holds): per target, the blue sources of its key values and green's serial or identity columns with their
     * sequences. Under the S5 load these lookups were most of the 20-30 ms that green's step took inside the freeze.
     *
     * @param blueSequences PostgreSQL blue: the sequences behind the blue key columns
     * @param blueAutoIncrement MariaDB blue: whether a blue key column is {@code AUTO_INCREMENT}
     * @param greenSequences green column to its sequence, in column order
     */
    record TablePlan(CutoverTable table, List<String> blueSequences, boolean blueAutoIncrement,
                     Map<String, String> greenSequences) {
        TablePlan {
            blueSequences = List.copyOf(blueSequences);
            greenSequences = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(greenSequences));
        }
    }

    /**
     * Looks up, before the freeze, what {@link #moveSequences} needs from both catalogs.
     *
     * @param blueEngine blue's engine: PostgreSQL sequences, or MariaDB AUTO_INCREMENT counters
     * @return one plan per target, in order
     * @throws SQLException when a catalog cannot be read
     */
    static List<TablePlan> plan(Connection green, Connection blue, Engine blueEngine, List<CutoverTable> targets)
            throws SQLException {
        List<TablePlan> plans = new ArrayList<>();
        for (CutoverTable t : targets) {
            List<String> blueSequences = new ArrayList<>();
            boolean autoIncrement = false;
            for (String c : t.blueKeyColumns()) {
                if (blueEngine == Engine.MARIADB) {
                    autoIncrement |= isAutoIncrement(blue, t.blue(), c);
                    continue;
                }
                String seq = serialSequence(blue, t.blue(), c);
                if (seq != null) {
                    blueSequences.add(seq);
                }
            }
            plans.add(new TablePlan(t, blueSequences, autoIncrement, sequencesOf(green, t.green())));
        }
        return plans;
    }

    /**
     * Moves every green sequence of the targets (serial and identity columns, keys or not: a unique non-key
     * serial column collides as well) to {@code max(blue sequences of the blue key columns, max(green column),
     * green sequence) + gap} (a MariaDB blue: its {@code AUTO_INCREMENT} counters instead of sequences). After the
     * drain, green's column holds every value blue committed. A non-key column without an index costs a scan of its
     * table here. One read of blue's sequences (PostgreSQL; MariaDB: one per table with an AUTO_INCREMENT key) and
     * one statement on green for every sequence at once.
     *
     * @param green a connection in the caller's open transaction ({@code setval} itself is not transactional)
     * @param blue a blue connection (blue is frozen, so its values no longer move)
     * @param blueEngine blue's engine: PostgreSQL sequences, or MariaDB AUTO_INCREMENT counters
     * @param plans from {@link #plan}, before the freeze
     * @param gap added past the highest value, values
     * @return the sequences moved
     * @throws SQLException when blue or green fails (a sequence dropped since the plan included)
     */
    static List<SequenceMove> moveSequences(Connection green, Connection blue, Engine blueEngine,
                                            List<TablePlan> plans, long gap) throws SQLException {
        long[] blueHigh = blueHighs(blue, blueEngine, plans);
        // every sequence in one statement: its value before, and setval past the highest of blue's value (key
        // columns), green's column and the sequence itself
        StringBuilder sql = new StringBuilder();
        List<Object> params = new ArrayList<>();
        List<String[]> moving = new ArrayList<>(); // sequence, green table.column
        for (int i = 0; i < plans.size(); i++) {
            TablePlan p = plans.get(i);
            for (Map.Entry<String, String> e : p.greenSequences().entrySet()) {
                String c = e.getKey();
                String seq = e.getValue();
                long floor = p.table().greenKeyColumns().contains(c) ? blueHigh[i] : 0;
                sql.append(sql.length() == 0 ? "" : " UNION ALL ").append("SELECT ")
                        .append(moving.size()).append(" AS i, s.last_value, setval(?::regclass, greatest(?::bigint, (SELECT"
                        + " coalesce(max(").append(D.quote(c)).append(")::bigint, 0) FROM ").append(D.table(p.table().green()))
                        .append("), s.last_value) + ?, true) FROM ").append(seq).append(" s");
                params.add(seq);
                params.add(floor);
                params.add(gap);
                moving.add(new String[] {seq, p.table().green() + "." + c});
            }
        }
        List<SequenceMove> moves = new ArrayList<>();
        if (moving.isEmpty()) {
            return moves;
        }
        try (PreparedStatement ps = green.prepareStatement(sql.append(" ORDER BY i").toString())) {
            for (int k = 0; k < params.size(); k++) {
                ps.setObject(k + 1, params.get(k));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String[] m = moving.get(rs.getInt(1));
                    moves.add(new SequenceMove(m[0], m[1], rs.getLong(2), rs.getLong(3)));
                }
            }
        }
        return moves;
    }

    /** Per plan, the highest key value blue handed out (0 when its keys have no sequence or counter). */
    private static long[] blueHighs(Connection blue, Engine blueEngine, List<TablePlan> plans) throws SQLException {
        long[] high = new long[plans.size()];
        if (blueEngine == Engine.MARIADB) {
            for (int i = 0; i < plans.size(); i++) {
                if (plans.get(i).blueAutoIncrement()) {
                    high[i] = autoIncrementHigh(blue, plans.get(i).table().blue());
                }
            }
            return high;
        }
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < plans.size(); i++) {
            for (String seq : plans.get(i).blueSequences()) {
                sql.append(sql.length() == 0 ? "" : " UNION ALL ").append("SELECT ").append(i)
                        .append(", last_value FROM ").append(seq);
            }
        }
        if (sql.length() == 0) {
            return high;
        }
        try (Statement st = blue.createStatement(); ResultSet rs = st.executeQuery(sql.toString())) {
            while (rs.next()) {
                int i = rs.getInt(1);
                high[i] = Math.max(high[i], rs.getLong(2));
            }
        }
        return high;
    }

    /** Revokes what {@link #grantWrites} granted (an abort after green was opened). */
    static void revokeWrites(Connection green, String role, List<CutoverTable> targets, List<SequenceMove> sequences)
            throws SQLException {
        try (Statement st = green.createStatement()) {
            for (CutoverTable t : targets) {
                st.execute("REVOKE INSERT, UPDATE, DELETE ON " + D.table(t.green()) + " FROM " + D.quote(role));
            }
            for (SequenceMove s : sequences) {
                st.execute("REVOKE USAGE, UPDATE ON SEQUENCE " + s.sequence() + " FROM " + D.quote(role));
            }
        }
    }

    /** Column to sequence, for every serial or identity column of a table, in column order. */
    private static Map<String, String> sequencesOf(Connection c, TableId table) throws SQLException {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, pg_get_serial_sequence(?, a.attname)"
                + " FROM pg_attribute a WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped"
                + " AND pg_get_serial_sequence(?, a.attname) IS NOT NULL ORDER BY a.attnum")) {
            String name = D.table(table);
            ps.setString(1, name);
            ps.setString(2, name);
            ps.setString(3, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    /** Grants the role writes on the targets and use of their key sequences. */
    static void grantWrites(Connection green, String role, List<CutoverTable> targets, List<SequenceMove> sequences)
            throws SQLException {
        // one round trip: PgJDBC sends statements joined by ';' before one Sync
        java.util.StringJoiner sql = new java.util.StringJoiner("; ");
        for (CutoverTable t : targets) {
            sql.add("GRANT USAGE ON SCHEMA " + D.quote(t.green().schema()) + " TO " + D.quote(role));
            sql.add("GRANT SELECT, INSERT, UPDATE, DELETE ON " + D.table(t.green()) + " TO " + D.quote(role));
        }
        for (SequenceMove s : sequences) {
            sql.add("GRANT USAGE, SELECT, UPDATE ON SEQUENCE " + s.sequence() + " TO " + D.quote(role));
        }
        try (Statement st = green.createStatement()) {
            st.execute(sql.toString());
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
                ps.setString(2, D.table(t.green()));
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
            for (Map.Entry<String, String> e : sequencesOf(green, t.green()).entrySet()) {
                out.add(e.getValue() + " (" + t.green() + "." + e.getKey() + ", now " + lastValue(green, e.getValue()) + ")");
            }
        }
        return out;
    }

    /**
     * Whether a MariaDB key column is {@code AUTO_INCREMENT} (before the freeze). A lookup by constants: MariaDB
     * answers it from one table's definition in under 1 ms, where a join of TABLES and COLUMNS opened every table of
     * the server (75 ms on a near-empty one, inside the freeze).
     */
    private static boolean isAutoIncrement(Connection blue, TableId table, String column) throws SQLException {
        try (PreparedStatement ps = blue.prepareStatement("SELECT 1 FROM information_schema.COLUMNS WHERE"
                + " TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ? AND EXTRA LIKE '%auto_increment%'")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            ps.setString(3, column);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * The highest value a MariaDB table's {@code AUTO_INCREMENT} counter has handed out ({@code AUTO_INCREMENT - 1}
     * from information_schema.TABLES, which reads InnoDB's counter).
     */
    private static long autoIncrementHigh(Connection blue, TableId table) throws SQLException {
        try (PreparedStatement ps = blue.prepareStatement("SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE"
                + " TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Math.max(0, rs.getLong(1) - 1) : 0;
            }
        }
    }

    private static String serialSequence(Connection c, TableId table, String column) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_get_serial_sequence(?, ?)")) {
            ps.setString(1, D.table(table));
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
