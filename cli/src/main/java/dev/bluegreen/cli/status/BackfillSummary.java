package dev.bluegreen.cli.status;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;

/**
 * The initial copy's state for {@code bluegreen status}, from {@code bluegreen.backfill} and
 * {@code backfill_chunk}: chunks copied of planned, rows, rate since the start and an ETA from the
 * chunks left at the average rows per copied chunk. Immutable.
 *
 * @param state {@code copying} or {@code done}
 * @param consistentLsn the slot's consistent point the copy reads at
 * @param chunks chunks planned
 * @param chunksCopied chunks in green
 * @param rowsCopied rows in green (rows)
 * @param elapsedMs since the plan was committed, or its whole duration when done (ms)
 * @param resumed how many times a restart resumed it
 */
public record BackfillSummary(String state, String consistentLsn, int chunks, int chunksCopied, long rowsCopied,
                              long elapsedMs, int resumed) {

    /**
     * Reads the pipeline's copy; empty when it never ran one (or green's control schema predates it).
     *
     * @throws SQLException when green fails
     */
    public static Optional<BackfillSummary> read(Connection green, String pipeline) throws SQLException {
        try (PreparedStatement check = green.prepareStatement("SELECT to_regclass('bluegreen.backfill_chunk') IS NOT NULL");
             ResultSet rs = check.executeQuery()) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return Optional.empty();
            }
        }
        try (PreparedStatement ps = green.prepareStatement("SELECT b.state, b.consistent_lsn, b.chunks,"
                + " (SELECT count(copied_at) FROM bluegreen.backfill_chunk c WHERE c.pipeline = b.pipeline),"
                + " (SELECT coalesce(sum(rows_copied), 0) FROM bluegreen.backfill_chunk c WHERE c.pipeline = b.pipeline),"
                + " (extract(epoch FROM coalesce(b.finished_at, now()) - b.started_at) * 1000)::bigint, b.resumed"
                + " FROM bluegreen.backfill b WHERE b.pipeline = ?")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new BackfillSummary(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4),
                        rs.getLong(5), rs.getLong(6), rs.getInt(7)));
            }
        }
    }

    /** One line, e.g. {@code initial copy: copying, 12 of 40 chunks, 600,000 rows, 210,000 rows/s, ETA 8 s}. */
    public String render() {
        double rate = elapsedMs <= 0 ? 0 : rowsCopied * 1000.0 / elapsedMs;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "initial copy: %s at %s, %d of %d chunks, %,d rows,"
                + " %,.0f rows/s", state, consistentLsn, chunksCopied, chunks, rowsCopied, rate));
        if (!"done".equals(state) && chunksCopied > 0 && rate > 0) {
            double left = (double) rowsCopied / chunksCopied * (chunks - chunksCopied);
            sb.append(String.format(Locale.ROOT, ", ETA %.0f s", left / rate));
        }
        if ("done".equals(state)) {
            sb.append(String.format(Locale.ROOT, " in %.1f s", elapsedMs / 1000.0));
        }
        if (resumed > 0) {
            sb.append(", resumed ").append(resumed).append(resumed == 1 ? " time" : " times");
        }
        return sb.append('\n').toString();
    }
}
