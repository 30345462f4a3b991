package dev.bluegreen.cutover.parity;

import dev.bluegreen.core.event.TableId;

/**
 * Progress callbacks of a verify, called from the verifying thread in this order per table:
 * {@link #tableStarted}, any number of {@link #chunkChecked}, then {@link #tableFinished}.
 * Implementations must be quick (they run between chunks) and must not throw.
 */
public interface ParityListener {

    /** Does nothing. */
    ParityListener NONE = new ParityListener() {
    };

    /**
     * A table's verification starts.
     *
     * @param estimatedRows blue's row estimate from its statistics (rows), or -1
     */
    default void tableStarted(TableId blueTable, VerifyPath path, long estimatedRows) {
    }

    /** A chunk was compared. @param blueRows rows of blue in it (rows) */
    default void chunkChecked(TableId blueTable, long blueRows) {
    }

    /** A table's verification ended, rechecks included. */
    default void tableFinished(TableParity result) {
    }
}
