package dev.bluegreen.core.config;

/**
 * Settings of bluegreen's own initial copy ({@code capture.snapshot: copy}): blue's rows at one
 * consistent point, read in key-range chunks by parallel workers with binary COPY, run through the
 * mapping and written to green with COPY.
 *
 * @param parallelism workers copying chunks at once (each holds one blue and one green connection);
 *     default 4 (on 2 cores, 4 overlapped the servers' and the mapping's work better than 2: S1 bench);
 *     from a MariaDB blue, the machine's cores, at most 4 ({@link #mariaDbDefaultParallelism}: reading
 *     MariaDB costs its server little, so more workers than cores only contend; S1 from MariaDB on 2
 *     cores, renames + computed column: 0.51 of the pipe with 2 workers, 0.44 with 4, the same hour)
 * @param chunkRows target rows per chunk (rows); a chunk is the unit of resumption: one green
 *     transaction holds its rows and the mark that it is done; default 50,000
 * @param maxRowsPerSecond throttle over all workers together (rows/s); 0 = unthrottled (default)
 * @param path {@code auto}: a mapping that only renames or drops columns of identical types is piped
 *     from blue's binary COPY into green's unchanged (no value is decoded); anything else, and
 *     {@code rows}, decodes each row, runs the mapping and encodes it for green
 * @param indexes {@code keep} (default): green's indexes stay while rows arrive; {@code build-after}:
 *     green's secondary (non-key) indexes of the targets are dropped before the copy and built again
 *     after it, recorded in green so that a crash in between still builds them
 */
public record BackfillConfig(int parallelism, long chunkRows, long maxRowsPerSecond, String path, String indexes) {

    /** The defaults. */
    public static final BackfillConfig DEFAULTS = new BackfillConfig(4, 50_000, 0, "auto", "keep");

    /** The default parallelism from a MariaDB blue: this machine's cores, between 1 and 4. */
    public static int mariaDbDefaultParallelism() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    public BackfillConfig {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1");
        }
        if (chunkRows < 1) {
            throw new IllegalArgumentException("chunkRows must be >= 1");
        }
        if (maxRowsPerSecond < 0) {
            throw new IllegalArgumentException("maxRowsPerSecond must be >= 0");
        }
        if (!path.equals("auto") && !path.equals("rows")) {
            throw new IllegalArgumentException("path must be auto or rows");
        }
        if (!indexes.equals("keep") && !indexes.equals("build-after")) {
            throw new IllegalArgumentException("indexes must be keep or build-after");
        }
    }

    /** True when green's secondary indexes are built after the copy. */
    public boolean buildIndexesAfter() {
        return indexes.equals("build-after");
    }
}
