package dev.bluegreen.cutover.parity;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a verify runs. Immutable; every value is checked here (nothing is clamped silently).
 *
 * @param chunkSizeRows blue rows per chunk (one short read-only transaction each), 1 to 100,000
 * @param maxRowsPerSecond cap on blue rows read per second, or 0 for no cap
 * @param path streaming, pushdown, or auto (pushdown where the mapping allows it)
 * @param recheckAttempts how many times a differing key is rechecked after the sink applied past the
 *     blue time of its last read, 0 to 100
 * @param catchUpTimeout how long one recheck waits for the sink to apply past that blue time
 * @param lockedRecheckTimeout the bound of the last, locked recheck: keys still differing are read on
 *     blue {@code FOR SHARE} (their writers wait), and green is read once the sink applied past the
 *     lock; {@link Duration#ZERO} disables it (keys still differing are then reported as mismatches)
 * @param lockedRecheckMaxKeys the most keys of one table the locked recheck may lock
 * @param bisectLeafRows pushdown: a differing range this small (rows) is compared row by row instead of
 *     being split further
 */
public record ParitySettings(int chunkSizeRows, long maxRowsPerSecond, VerifyPath path, int recheckAttempts,
                             Duration catchUpTimeout, Duration lockedRecheckTimeout, int lockedRecheckMaxKeys,
                             int bisectLeafRows) {

    /** Most rows per chunk. */
    public static final int MAX_CHUNK_ROWS = 100_000;

    public ParitySettings {
        requireNonNull(path, "path is null");
        requireNonNull(catchUpTimeout, "catchUpTimeout is null");
        requireNonNull(lockedRecheckTimeout, "lockedRecheckTimeout is null");
        if (chunkSizeRows < 1 || chunkSizeRows > MAX_CHUNK_ROWS) {
            throw new IllegalArgumentException("chunk size must be 1 to " + MAX_CHUNK_ROWS + " rows, got " + chunkSizeRows);
        }
        if (maxRowsPerSecond < 0) {
            throw new IllegalArgumentException("max rows per second must be positive (or 0 for no cap), got "
                    + maxRowsPerSecond);
        }
        if (recheckAttempts < 0 || recheckAttempts > 100) {
            throw new IllegalArgumentException("recheck attempts must be 0 to 100, got " + recheckAttempts);
        }
        if (catchUpTimeout.isNegative() || lockedRecheckTimeout.isNegative()) {
            throw new IllegalArgumentException("timeouts must not be negative");
        }
        if (lockedRecheckMaxKeys < 0) {
            throw new IllegalArgumentException("locked recheck max keys must not be negative");
        }
        if (bisectLeafRows < 1) {
            throw new IllegalArgumentException("bisect leaf rows must be at least 1, got " + bisectLeafRows);
        }
    }

    /**
     * The defaults: 5,000-row chunks, no rate cap, auto path, 3 rechecks waiting up to 60 s each, a
     * locked recheck of at most 1,000 keys bounded by 10 s, pushdown leaves of 256 rows.
     */
    public static ParitySettings defaults() {
        return new ParitySettings(5_000, 0, VerifyPath.AUTO, 3, Duration.ofSeconds(60), Duration.ofSeconds(10), 1_000,
                256);
    }

    /** A copy with another chunk size. */
    public ParitySettings withChunkSizeRows(int rows) {
        return new ParitySettings(rows, maxRowsPerSecond, path, recheckAttempts, catchUpTimeout, lockedRecheckTimeout,
                lockedRecheckMaxKeys, bisectLeafRows);
    }

    /** A copy with another rate cap (0 = none). */
    public ParitySettings withMaxRowsPerSecond(long rows) {
        return new ParitySettings(chunkSizeRows, rows, path, recheckAttempts, catchUpTimeout, lockedRecheckTimeout,
                lockedRecheckMaxKeys, bisectLeafRows);
    }

    /** A copy with another path. */
    public ParitySettings withPath(VerifyPath p) {
        return new ParitySettings(chunkSizeRows, maxRowsPerSecond, p, recheckAttempts, catchUpTimeout,
                lockedRecheckTimeout, lockedRecheckMaxKeys, bisectLeafRows);
    }

    /** A copy with other recheck bounds. */
    public ParitySettings withRecheck(int attempts, Duration catchUp, Duration locked) {
        return new ParitySettings(chunkSizeRows, maxRowsPerSecond, path, attempts, catchUp, locked,
                lockedRecheckMaxKeys, bisectLeafRows);
    }

    /** A copy with another bisection leaf size. */
    public ParitySettings withBisectLeafRows(int rows) {
        return new ParitySettings(chunkSizeRows, maxRowsPerSecond, path, recheckAttempts, catchUpTimeout,
                lockedRecheckTimeout, lockedRecheckMaxKeys, rows);
    }
}
