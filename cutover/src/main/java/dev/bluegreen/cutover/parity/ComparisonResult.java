package dev.bluegreen.cutover.parity;

import dev.bluegreen.core.event.TableId;
import java.util.List;

/**
 * The outcome of a {@link FullComparison} of one blue table.
 *
 * @param blueTable the blue table
 * @param blueRows rows read from blue (rows)
 * @param greenRows rows read from the green targets (rows, summed over targets)
 * @param missing expected green rows not found (rows)
 * @param extra green rows no blue row maps to (rows)
 * @param differing green rows whose values differ from the mapped blue row (rows)
 * @param samples up to the requested number of human-readable differences
 */
public record ComparisonResult(TableId blueTable, long blueRows, long greenRows, long missing, long extra,
                               long differing, List<String> samples) {

    public ComparisonResult {
        samples = List.copyOf(samples);
    }

    /** True when green holds exactly blue through the mapping. */
    public boolean matches() {
        return missing == 0 && extra == 0 && differing == 0;
    }

    @Override
    public String toString() {
        return blueTable + ": " + (matches() ? "match" : "MISMATCH") + " (blue " + blueRows + " rows, green "
                + greenRows + " rows, missing " + missing + ", extra " + extra + ", differing " + differing + ")";
    }
}
