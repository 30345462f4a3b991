package dev.bluegreen.cutover.parity;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The outcome of verifying one blue table against its green targets.
 *
 * @param blueTable the blue table
 * @param greenTables its green targets, in mapping order
 * @param path the path used ({@link VerifyPath#STREAMING} or {@link VerifyPath#PUSHDOWN})
 * @param pathReason why that path (e.g. why pushdown was not possible)
 * @param blueRows blue rows covered by the chunks (rows)
 * @param greenRows green rows covered, summed over targets (rows)
 * @param chunks chunks compared
 * @param chunksDiffering chunks whose hashes differed at the first comparison
 * @param recheckedKeys keys that differed at the first comparison and were rechecked
 * @param verdict the table's result
 * @param differences every difference still present at the end (empty unless {@code MISMATCH}); no cap
 * @param startedAt when the table's verification started
 * @param durationMs how long it took, rechecks included (ms)
 */
public record TableParity(TableId blueTable, List<TableId> greenTables, VerifyPath path, String pathReason,
                          long blueRows, long greenRows, long chunks, long chunksDiffering, long recheckedKeys,
                          TableVerdict verdict, List<Difference> differences, Instant startedAt, long durationMs) {

    public TableParity {
        requireNonNull(blueTable, "blueTable is null");
        greenTables = List.copyOf(greenTables);
        requireNonNull(path, "path is null");
        requireNonNull(verdict, "verdict is null");
        differences = List.copyOf(differences);
        requireNonNull(startedAt, "startedAt is null");
        if (verdict == TableVerdict.MISMATCH && differences.isEmpty()) {
            throw new IllegalArgumentException("a mismatch needs its differences");
        }
    }

    /** Distinct keys still differing (a blue key differing in two targets counts once). */
    public long mismatchedKeys() {
        Set<Row> keys = new HashSet<>();
        differences.forEach(d -> keys.add(d.blueKey() != null ? d.blueKey() : d.greenKey()));
        return keys.size();
    }

    /** {@code match}, {@code match after recheck (n keys)} or {@code mismatch (n keys)}. */
    public String verdictText() {
        switch (verdict) {
            case MATCH:
                return "match";
            case MATCH_AFTER_RECHECK:
                return "match after recheck (" + recheckedKeys + " keys)";
            default:
                return "mismatch (" + mismatchedKeys() + " keys)";
        }
    }

    /** Blue rows per second over the table's duration. */
    public double rowsPerSecond() {
        return durationMs <= 0 ? blueRows : blueRows * 1000.0 / durationMs;
    }

    /** Chunks per second over the table's duration. */
    public double chunksPerSecond() {
        return durationMs <= 0 ? chunks : chunks * 1000.0 / durationMs;
    }
}
