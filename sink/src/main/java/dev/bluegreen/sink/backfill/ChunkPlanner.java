package dev.bluegreen.sink.backfill;

import dev.bluegreen.core.dialect.Catalog;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Splits a blue table into key-range chunks of about {@code chunkRows} rows, reading blue in the caller's
 * transaction (the backfill's snapshot), so the plan covers exactly the rows the copy will read.
 *
 * <p>A single integer key is split arithmetically: [min, max] from the key's index, cut into ranges whose
 * width is chunkRows x (max - min + 1) / the planner's row estimate ({@code pg_class.reltuples}, MariaDB's
 * {@code information_schema.TABLES.TABLE_ROWS}; the key
 * span when the table was never analysed): two index probes, however large the table, exact for dense keys.
 * Any other key is walked: each boundary is the key {@code chunkRows} rows past the previous one in key
 * order ({@code ORDER BY key LIMIT 1 OFFSET n}, which PostgreSQL and MariaDB both take), one pass over the
 * key's index, exact chunk sizes. The
 * first chunk's lower bound and the last one's upper bound are open, so rows outside the sampled range
 * are still copied. Stateless.
 */
public final class ChunkPlanner {

    /** Most chunks planned arithmetically for one table (wider chunks beyond that). */
    static final long MAX_CHUNKS = 100_000;

    private ChunkPlanner() {
    }

    /**
     * Plans one table.
     *
     * @param blue a connection inside the backfill's (repeatable read) transaction
     * @param chunkRows target rows per chunk (rows)
     * @return the chunks in key order, at least one
     * @throws SQLException when blue fails
     */
    public static List<Chunk> plan(Connection blue, BackfillTable table, long chunkRows) throws SQLException {
        List<String> keys = table.keyColumns();
        if (keys.size() == 1 && table.blueType(keys.get(0)).kind().isInteger()) {
            return arithmetic(blue, table, chunkRows);
        }
        return walked(blue, table, chunkRows);
    }

    private static List<Chunk> arithmetic(Connection blue, BackfillTable table, long chunkRows) throws SQLException {
        String k = table.blueSql().quote(table.keyColumns().get(0));
        String from = table.blueSql().table(table.id());
        long min;
        long max;
        try (Statement st = blue.createStatement();
             ResultSet rs = st.executeQuery("SELECT min(" + k + "), max(" + k + ") FROM " + from)) {
            rs.next();
            min = rs.getLong(1);
            if (rs.wasNull()) {
                return List.of(new Chunk(table.id(), 0, null, null));
            }
            max = rs.getLong(2);
        }
        double span = (double) max - (double) min + 1;
        long estimate = Catalog.of(table.blueEngine(), blue).estimateRows(table.id());
        double rows = estimate > 0 ? estimate : span;
        long width = (long) Math.max(1, Math.ceil(span * chunkRows / rows));
        width = (long) Math.max(width, Math.ceil(span / MAX_CHUNKS));
        List<Chunk> out = new ArrayList<>();
        List<String> lower = null;
        long next = min;
        int no = 0;
        while (true) {
            // compared in double: max - next may exceed a long for keys spanning the whole range
            if ((double) max - (double) next < width) {
                out.add(new Chunk(table.id(), no, lower, null));
                return out;
            }
            next += width;
            List<String> upper = List.of(Long.toString(next));
            out.add(new Chunk(table.id(), no++, lower, upper));
            lower = upper;
        }
    }

    private static List<Chunk> walked(Connection blue, BackfillTable table, long chunkRows) throws SQLException {
        List<String> keys = table.keyColumns();
        StringJoiner select = new StringJoiner(", ");
        keys.forEach(k -> select.add(table.boundExpression(k)));
        String base = "SELECT " + select + " FROM " + table.blueSql().table(table.id());
        List<Chunk> out = new ArrayList<>();
        List<String> lower = null;
        int no = 0;
        try (Statement st = blue.createStatement()) {
            while (true) {
                Chunk probe = new Chunk(table.id(), no, lower, null);
                String where = lower == null ? "" : " WHERE " + table.rangePredicate(probe);
                List<String> upper = null;
                try (ResultSet rs = st.executeQuery(base + where + " ORDER BY " + table.keyOrder() + " LIMIT 1 OFFSET "
                        + chunkRows)) {
                    if (rs.next()) {
                        upper = new ArrayList<>(keys.size());
                        for (int i = 1; i <= keys.size(); i++) {
                            upper.add(rs.getString(i));
                        }
                    }
                }
                out.add(new Chunk(table.id(), no++, lower, upper));
                if (upper == null) {
                    return out;
                }
                lower = upper;
            }
        }
    }
}
