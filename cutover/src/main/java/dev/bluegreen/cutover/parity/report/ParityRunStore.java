package dev.bluegreen.cutover.parity.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bluegreen.cutover.parity.ParityReport;
import dev.bluegreen.cutover.parity.TableParity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Records verify results in green's control schema ({@code bluegreen.parity_run} and
 * {@code bluegreen.parity_table}, migration V2) and reads the latest one, for the cutover coordinator's
 * "recent parity pass" check and for {@code bluegreen status}. Stateless, thread-safe.
 */
public final class ParityRunStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ParityRunStore() {
    }

    /**
     * The latest recorded verify of a pipeline.
     *
     * @param result {@code parity}, {@code mismatch} or {@code error}
     * @param complete whether every mapped table was verified
     * @param finishedAt when it ended
     * @param blueLsnEnd blue's WAL position at its end, or null
     * @param configSha256 the config's SHA-256, or null
     * @param mismatchedKeys keys still differing
     * @param reportDir where its reports were written, or null
     * @param id the run's id in {@code bluegreen.parity_run}
     * @param startedAt when it started
     * @param blueRows blue rows read (rows)
     * @param error why it failed ({@code result} {@code error}), else null
     */
    public record LatestRun(String result, boolean complete, Instant finishedAt, String blueLsnEnd, String configSha256,
                            long mismatchedKeys, String reportDir, long id, Instant startedAt, long blueRows,
                            String error) {
    }

    /**
     * One table of a recorded verify ({@code bluegreen.parity_table}).
     *
     * @param blueTable schema.table on blue
     * @param verdict {@code match}, {@code match-after-recheck} or {@code mismatch} (the report's JSON names)
     * @param path {@code streaming} or {@code pushdown}
     * @param blueRows blue rows compared (rows)
     * @param greenRows green rows compared (rows)
     * @param rechecked keys rechecked after the sink caught up
     * @param mismatchedKeys keys still differing
     * @param durationMs how long the table took (ms)
     */
    public record RecordedTable(String blueTable, String verdict, String path, long blueRows, long greenRows,
                                long rechecked, long mismatchedKeys, long durationMs) {
    }

    /**
     * Where the latest recorded verify of a pipeline started, for the cutover's final check of the rows
     * changed since: every change the sink applied after {@code greenOffsetsStart} may postdate that
     * verify's reads.
     *
     * @param id the run's id
     * @param result {@code parity}, {@code mismatch} or {@code error}
     * @param complete whether every mapped table was verified
     * @param startedAt when it started
     * @param greenOffsetsStart the sink's next Kafka offsets when it started, {@code "topic/partition"} to offset
     */
    public record RunStart(long id, String result, boolean complete, Instant startedAt,
                           Map<String, Long> greenOffsetsStart) {
        public RunStart {
            greenOffsetsStart = Map.copyOf(greenOffsetsStart);
        }
    }

    /**
     * The start of the latest verify of the pipeline (the same run {@link #latest} returns), if any.
     *
     * @throws SQLException when green fails, or its {@code green_offsets_start} is not a JSON object of numbers
     */
    public static Optional<RunStart> latestStart(Connection green, String pipeline) throws SQLException {
        try (PreparedStatement ps = green.prepareStatement("SELECT id, result, complete, started_at,"
                + " green_offsets_start::text FROM bluegreen.parity_run WHERE pipeline = ?"
                + " ORDER BY finished_at DESC, id DESC LIMIT 1")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new RunStart(rs.getLong(1), rs.getString(2), rs.getBoolean(3),
                        rs.getTimestamp(4).toInstant(), offsets(rs.getLong(1), rs.getString(5))));
            }
        }
    }

    private static Map<String, Long> offsets(long runId, String json) throws SQLException {
        try {
            Map<String, Long> out = new java.util.HashMap<>();
            JSON.readTree(json).properties().forEach(e -> {
                if (!e.getValue().canConvertToLong()) {
                    throw new IllegalArgumentException(e.getKey() + " is " + e.getValue());
                }
                out.put(e.getKey(), e.getValue().asLong());
            });
            return out;
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new SQLException("bluegreen.parity_run " + runId + " has unreadable green_offsets_start " + json
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Records a finished verify in one transaction.
     *
     * @return the run's id
     * @throws SQLException when green fails (e.g. the control schema is not migrated)
     */
    public static long record(DataSource green, ParityReport r, String reportDir) throws SQLException {
        try (Connection c = green.getConnection()) {
            c.setAutoCommit(false);
            try {
                long id = insertRun(c, r, reportDir);
                insertTables(c, id, r);
                c.commit();
                return id;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Records a verify that failed before it had a result.
     *
     * @throws SQLException when green fails
     */
    public static void recordError(DataSource green, String pipeline, Instant startedAt, String configSha256,
                                   String error) throws SQLException {
        try (Connection c = green.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO bluegreen.parity_run (pipeline, result, complete, started_at, finished_at, config_sha256,"
                        + " error) VALUES (?, 'error', false, ?, now(), ?, ?)")) {
            ps.setString(1, pipeline);
            ps.setTimestamp(2, Timestamp.from(startedAt));
            ps.setString(3, configSha256);
            ps.setString(4, error);
            ps.executeUpdate();
        }
    }

    /**
     * The latest verify of the pipeline, if any.
     *
     * @throws SQLException when green fails
     */
    public static Optional<LatestRun> latest(Connection green, String pipeline) throws SQLException {
        try (PreparedStatement ps = green.prepareStatement("SELECT result, complete, finished_at, blue_lsn_end::text,"
                + " config_sha256, mismatched_keys, report_dir, id, started_at, blue_rows, error"
                + " FROM bluegreen.parity_run WHERE pipeline = ? ORDER BY finished_at DESC, id DESC LIMIT 1")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new LatestRun(rs.getString(1), rs.getBoolean(2), rs.getTimestamp(3).toInstant(),
                        rs.getString(4), rs.getString(5), rs.getLong(6), rs.getString(7), rs.getLong(8),
                        rs.getTimestamp(9).toInstant(), rs.getLong(10), rs.getString(11)));
            }
        }
    }

    /**
     * The per-table results of a recorded verify, in table order; empty for a verify that failed
     * before it had results.
     *
     * @param runId {@link LatestRun#id()}
     * @throws SQLException when green fails
     */
    public static List<RecordedTable> tables(Connection green, long runId) throws SQLException {
        List<RecordedTable> out = new ArrayList<>();
        try (PreparedStatement ps = green.prepareStatement("SELECT blue_table, verdict, path, blue_rows, green_rows,"
                + " rechecked_keys, mismatched_keys, duration_ms FROM bluegreen.parity_table WHERE run_id = ?"
                + " ORDER BY blue_table")) {
            ps.setLong(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RecordedTable(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                            rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8)));
                }
            }
        }
        return out;
    }

    private static long insertRun(Connection c, ParityReport r, String reportDir) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO bluegreen.parity_run (pipeline, result, complete,"
                + " started_at, finished_at, config_sha256, blue_lsn_start, blue_lsn_end, green_offsets_start,"
                + " green_offsets_end, sink_applied_blue_commit_ms, blue_rows, mismatched_keys, report_dir)"
                + " VALUES (?, ?, ?, ?, ?, ?, CAST(? AS pg_lsn), CAST(? AS pg_lsn), CAST(? AS jsonb), CAST(? AS jsonb),"
                + " ?, ?, ?, ?) RETURNING id")) {
            ps.setString(1, r.pipeline());
            ps.setString(2, r.result());
            ps.setBoolean(3, r.complete());
            ps.setTimestamp(4, Timestamp.from(r.startedAt()));
            ps.setTimestamp(5, Timestamp.from(r.finishedAt()));
            ps.setString(6, r.configSha256());
            ps.setString(7, r.start().blueLsn() == null ? null : r.start().blueLsn().toString());
            ps.setString(8, r.end().blueLsn() == null ? null : r.end().blueLsn().toString());
            ps.setString(9, json(r.start().greenSinkOffsets()));
            ps.setString(10, json(r.end().greenSinkOffsets()));
            ps.setLong(11, r.end().sinkAppliedBlueCommitMs());
            ps.setLong(12, r.blueRows());
            ps.setLong(13, r.mismatchedKeys());
            ps.setString(14, reportDir);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void insertTables(Connection c, long id, ParityReport r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO bluegreen.parity_table (run_id, blue_table, verdict,"
                + " path, blue_rows, green_rows, chunks, rechecked_keys, mismatched_keys, duration_ms)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (TableParity t : r.tables()) {
                ps.setLong(1, id);
                ps.setString(2, t.blueTable().toString());
                ps.setString(3, t.verdict().jsonName());
                ps.setString(4, t.path().jsonName());
                ps.setLong(5, t.blueRows());
                ps.setLong(6, t.greenRows());
                ps.setLong(7, t.chunks());
                ps.setLong(8, t.recheckedKeys());
                ps.setLong(9, t.mismatchedKeys());
                ps.setLong(10, t.durationMs());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static String json(Map<String, Long> offsets) {
        try {
            return JSON.writeValueAsString(offsets);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a map of strings to numbers always serialises", e);
        }
    }
}
