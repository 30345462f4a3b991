package dev.bluegreen.cli.status;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A pipeline's status as recorded in green's control schema by the running sink.
 *
 * @param state {@code running}, {@code stopped}, or {@code unknown} when never run
 * @param stateMessage detail for the state, or null
 * @param lagMs latest replication lag measured on the heartbeat (ms), or -1 when none yet
 * @param lagMeasuredAgoMs how long ago that lag was measured (ms), or -1
 * @param tables per blue table
 * @param backfill the initial copy ({@code capture.snapshot: copy}), or null when the pipeline never ran one
 */
public record PipelineStatus(String state, String stateMessage, long lagMs, long lagMeasuredAgoMs,
                             List<TableStatus> tables, BackfillSummary backfill) {

    /** A status without an initial copy. */
    public PipelineStatus(String state, String stateMessage, long lagMs, long lagMeasuredAgoMs,
                          List<TableStatus> tables) {
        this(state, stateMessage, lagMs, lagMeasuredAgoMs, tables, null);
    }

    /**
     * One blue table's progress.
     *
     * @param blueTable schema.table
     * @param snapshotRows rows copied by the snapshot so far (rows)
     * @param snapshotEstimate blue's row estimate at start (rows)
     * @param snapshotDone whether the snapshot of this table finished
     * @param eventsApplied change events applied, snapshot rows included (events)
     * @param deadLetters rows of this table in the dead-letter table (rows)
     */
    public record TableStatus(String blueTable, long snapshotRows, long snapshotEstimate, boolean snapshotDone,
                              long eventsApplied, long deadLetters) {
    }

    /**
     * Reads the status of a pipeline from green.
     *
     * @throws SQLException when green fails or has no control schema
     */
    public static PipelineStatus read(Connection green, String pipeline, long nowMs) throws SQLException {
        String state = "unknown";
        String message = null;
        try (PreparedStatement ps = green.prepareStatement(
                "SELECT state, message FROM bluegreen.pipeline_state WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    state = rs.getString(1);
                    message = rs.getString(2);
                }
            }
        }
        long lag = -1;
        long ago = -1;
        try (PreparedStatement ps = green.prepareStatement(
                "SELECT lag_ms, applied_ms FROM bluegreen.lag WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    lag = rs.getLong(1);
                    ago = Math.max(0, nowMs - rs.getLong(2));
                }
            }
        }
        List<TableStatus> tables = new ArrayList<>();
        try (PreparedStatement ps = green.prepareStatement("SELECT p.blue_table, p.snapshot_rows, p.snapshot_estimate,"
                + " p.snapshot_done, p.events_applied, (SELECT count(*) FROM bluegreen.dead_letter d"
                + " WHERE d.pipeline = p.pipeline AND d.blue_table = p.blue_table)"
                + " FROM bluegreen.table_progress p WHERE p.pipeline = ? ORDER BY p.blue_table")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(new TableStatus(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getBoolean(4),
                            rs.getLong(5), rs.getLong(6)));
                }
            }
        }
        return new PipelineStatus(state, message, lag, ago, tables, BackfillSummary.read(green, pipeline).orElse(null));
    }

    /** Total dead letters over all tables (rows). */
    public long deadLetters() {
        return tables.stream().mapToLong(TableStatus::deadLetters).sum();
    }

    /** True when every table's snapshot is done. */
    public boolean snapshotDone() {
        return tables.stream().allMatch(TableStatus::snapshotDone);
    }

    /** A fixed-width text table for the terminal. */
    public String render(String pipeline) {
        StringBuilder sb = new StringBuilder();
        sb.append("pipeline ").append(pipeline).append(": ").append(state);
        if (stateMessage != null) {
            sb.append(" (").append(stateMessage).append(')');
        }
        sb.append('\n');
        sb.append("replication lag: ").append(lagMs < 0 ? "not measured yet" : lagMs + " ms")
                .append(lagMeasuredAgoMs < 0 ? "" : " (measured " + lagMeasuredAgoMs + " ms ago)").append('\n');
        sb.append(String.format("%-32s %-26s %14s %12s%n", "blue table", "snapshot", "events applied", "dead letters"));
        for (TableStatus t : tables) {
            String snap = t.snapshotDone() ? "done (" + t.snapshotRows() + " rows)"
                    : t.snapshotRows() + " / ~" + t.snapshotEstimate() + " rows";
            sb.append(String.format("%-32s %-26s %14d %12d%n", t.blueTable(), snap, t.eventsApplied(), t.deadLetters()));
        }
        if (backfill != null) {
            sb.append(backfill.render());
        }
        return sb.toString();
    }
}
