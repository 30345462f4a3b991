package dev.bluegreen.sink.backfill;

import dev.bluegreen.core.event.TableId;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backfill's state in green's control schema ({@code bluegreen.backfill}, {@code backfill_chunk},
 * {@code backfill_index}; migration V4). Every method runs in the caller's connection and transaction:
 * a chunk's done mark commits with its rows. Stateless apart from the pipeline name; thread-safe.
 */
public final class BackfillStore {

    /** A pipeline's backfill row. */
    public record State(String slotName, String consistentLsn, String state, int chunks, int resumed) {

        /** True once every chunk is in green and the indexes are built. */
        public boolean done() {
            return "done".equals(state);
        }
    }

    /** A green secondary index dropped for the copy. */
    public record DroppedIndex(TableId table, String name, String definition) {
    }

    private final String pipeline;

    /** @param pipeline the pipeline's name */
    public BackfillStore(String pipeline) {
        this.pipeline = pipeline;
    }

    /** The backfill row, or null when this pipeline never started one. */
    public State load(Connection green) throws SQLException {
        try (PreparedStatement ps = green.prepareStatement("SELECT slot_name, consistent_lsn, state, chunks, resumed"
                + " FROM bluegreen.backfill WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new State(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        rs.getInt(5)) : null;
            }
        }
    }

    /** Records a new backfill and its chunks, replacing any earlier one of this pipeline. */
    public void create(Connection green, String slotName, String consistentLsn, List<Chunk> chunks)
            throws SQLException {
        try (PreparedStatement del = green.prepareStatement("DELETE FROM bluegreen.backfill_chunk WHERE pipeline = ?");
             PreparedStatement delRun = green.prepareStatement("DELETE FROM bluegreen.backfill WHERE pipeline = ?")) {
            del.setString(1, pipeline);
            del.executeUpdate();
            delRun.setString(1, pipeline);
            delRun.executeUpdate();
        }
        try (PreparedStatement ps = green.prepareStatement("INSERT INTO bluegreen.backfill (pipeline, slot_name,"
                + " consistent_lsn, state, chunks) VALUES (?, ?, ?, 'copying', ?)")) {
            ps.setString(1, pipeline);
            ps.setString(2, slotName);
            ps.setString(3, consistentLsn);
            ps.setInt(4, chunks.size());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = green.prepareStatement("INSERT INTO bluegreen.backfill_chunk (pipeline, blue_table,"
                + " chunk_no, lower_bound, upper_bound) VALUES (?, ?, ?, ?, ?)")) {
            for (Chunk c : chunks) {
                ps.setString(1, pipeline);
                ps.setString(2, c.table().toString());
                ps.setInt(3, c.no());
                ps.setArray(4, c.lower() == null ? null : green.createArrayOf("text", c.lower().toArray()));
                ps.setArray(5, c.upper() == null ? null : green.createArrayOf("text", c.upper().toArray()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The chunks not copied yet, in table then key order, by blue table name ({@code schema.table}). */
    public List<Chunk> remaining(Connection green, Map<String, TableId> tables) throws SQLException {
        List<Chunk> out = new ArrayList<>();
        try (PreparedStatement ps = green.prepareStatement("SELECT blue_table, chunk_no, lower_bound, upper_bound"
                + " FROM bluegreen.backfill_chunk WHERE pipeline = ? AND copied_at IS NULL ORDER BY blue_table, chunk_no")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TableId id = tables.get(rs.getString(1));
                    if (id == null) {
                        throw new SQLException("the backfill in green lists table " + rs.getString(1)
                                + ", which the pipeline config no longer maps");
                    }
                    out.add(new Chunk(id, rs.getInt(2), strings(rs.getArray(3)), strings(rs.getArray(4))));
                }
            }
        }
        return out;
    }

    /**
     * One blue table's chunks so far.
     *
     * @param planned chunks planned
     * @param copied chunks in green
     * @param rowsCopied rows in green (rows)
     * @param estimateRows blue's row estimate recorded at start ({@code table_progress.snapshot_estimate}, rows)
     */
    public record TableCounts(int planned, int copied, long rowsCopied, long estimateRows) {

        /** Chunks still to copy. */
        public int left() {
            return planned - copied;
        }
    }

    /** Chunk counts per blue table ({@code schema.table}); tables without chunks are absent. */
    public Map<String, TableCounts> counts(Connection green) throws SQLException {
        Map<String, TableCounts> out = new LinkedHashMap<>();
        try (PreparedStatement ps = green.prepareStatement("SELECT c.blue_table, count(*), count(c.copied_at),"
                + " coalesce(sum(c.rows_copied), 0), coalesce(max(p.snapshot_estimate), 0)"
                + " FROM bluegreen.backfill_chunk c LEFT JOIN bluegreen.table_progress p"
                + " ON p.pipeline = c.pipeline AND p.blue_table = c.blue_table WHERE c.pipeline = ?"
                + " GROUP BY c.blue_table ORDER BY c.blue_table")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new TableCounts(rs.getInt(2), rs.getInt(3), rs.getLong(4), rs.getLong(5)));
                }
            }
        }
        return out;
    }

    /** Marks a chunk copied (in the transaction that holds its rows). */
    public void markCopied(Connection green, Chunk chunk, long rows, long ms) throws SQLException {
        try (PreparedStatement ps = green.prepareStatement("UPDATE bluegreen.backfill_chunk SET rows_copied = ?,"
                + " copy_ms = ?, copied_at = now() WHERE pipeline = ? AND blue_table = ? AND chunk_no = ?"
                + " AND copied_at IS NULL")) {
            ps.setLong(1, rows);
            ps.setLong(2, ms);
            ps.setString(3, pipeline);
            ps.setString(4, chunk.table().toString());
            ps.setInt(5, chunk.no());
            if (ps.executeUpdate() != 1) {
                throw new SQLException("chunk " + chunk.no() + " of " + chunk.table() + " is already marked copied:"
                        + " two backfills of pipeline " + pipeline + " are running");
            }
        }
        try (PreparedStatement ps = green.prepareStatement("UPDATE bluegreen.table_progress SET snapshot_rows ="
                + " snapshot_rows + ?, events_applied = events_applied + ?, last_apply_ms = ? WHERE pipeline = ?"
                + " AND blue_table = ?")) {
            ps.setLong(1, rows);
            ps.setLong(2, rows);
            ps.setLong(3, System.currentTimeMillis());
            ps.setString(4, pipeline);
            ps.setString(5, chunk.table().toString());
            ps.executeUpdate();
        }
    }

    /** Marks a blue table's snapshot done in the progress table. */
    public void markTableDone(Connection green, TableId table) throws SQLException {
        try (PreparedStatement ps = green.prepareStatement("UPDATE bluegreen.table_progress SET snapshot_done = true"
                + " WHERE pipeline = ? AND blue_table = ?")) {
            ps.setString(1, pipeline);
            ps.setString(2, table.toString());
            ps.executeUpdate();
        }
    }

    /** Counts a resumption. */
    public void markResumed(Connection green) throws SQLException {
        try (PreparedStatement ps = green.prepareStatement("UPDATE bluegreen.backfill SET resumed = resumed + 1"
                + " WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            ps.executeUpdate();
        }
    }

    /** Marks the backfill done. */
    public void markDone(Connection green) throws SQLException {
        try (PreparedStatement ps = green.prepareStatement("UPDATE bluegreen.backfill SET state = 'done',"
                + " finished_at = now() WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            ps.executeUpdate();
        }
    }

    /** Records a dropped index, to be built after the copy. */
    public void recordIndex(Connection green, DroppedIndex index) throws SQLException {
        try (PreparedStatement ps = green.prepareStatement("INSERT INTO bluegreen.backfill_index (pipeline,"
                + " green_table, index_name, definition) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, pipeline);
            ps.setString(2, index.table().toString());
            ps.setString(3, index.name());
            ps.setString(4, index.definition());
            ps.executeUpdate();
        }
    }

    /** Indexes dropped for the copy and not built again yet. */
    public List<DroppedIndex> indexesToBuild(Connection green, Map<String, TableId> greenTables) throws SQLException {
        List<DroppedIndex> out = new ArrayList<>();
        try (PreparedStatement ps = green.prepareStatement("SELECT green_table, index_name, definition FROM"
                + " bluegreen.backfill_index WHERE pipeline = ? AND built_at IS NULL ORDER BY green_table, index_name")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TableId t = greenTables.getOrDefault(rs.getString(1), TableId.parse(rs.getString(1)));
                    out.add(new DroppedIndex(t, rs.getString(2), rs.getString(3)));
                }
            }
        }
        return out;
    }

    /** Marks an index built. */
    public void markIndexBuilt(Connection green, DroppedIndex index) throws SQLException {
        try (PreparedStatement ps = green.prepareStatement("UPDATE bluegreen.backfill_index SET built_at = now()"
                + " WHERE pipeline = ? AND green_table = ? AND index_name = ?")) {
            ps.setString(1, pipeline);
            ps.setString(2, index.table().toString());
            ps.setString(3, index.name());
            ps.executeUpdate();
        }
    }

    private static List<String> strings(Array a) throws SQLException {
        return a == null ? null : Arrays.asList((String[]) a.getArray());
    }
}
