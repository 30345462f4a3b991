package dev.bluegreen.bench.anchor;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What {@link ConnectJdbcSink} starts: the capture mode, the tables, the sink's batch size and the
 * worker's files. Immutable; validated in the constructor.
 *
 * @param workDir the anchor's folder (broker data, worker config, offsets, {@code worker.log}); wiped
 *     at every {@link ConnectJdbcSink#start}
 * @param workerClassPathFile a file holding the worker JVM's class path on one line, as
 *     {@code bench/connect-worker}'s {@code dependency:build-classpath} writes it
 *     ({@code bench/connect-worker/target/worker-classpath.txt})
 * @param mode {@link Mode#SNAPSHOT} (initial snapshot, then streaming) or {@link Mode#STREAMING}
 *     (no snapshot: changes after the slot is created)
 * @param tables the captured tables as {@code schema.table}; each is written to the table of the
 *     same schema and name in green, which must exist with the same columns and primary key
 * @param sinkBatchSizeRows the JDBC sink's {@code batch.size}, also its consumer's
 *     {@code max.poll.records}; rows, at least 1
 * @param unnestInsert the sink's {@code dialect.postgres.unnest.insert.enabled} (one
 *     {@code INSERT ... SELECT FROM unnest(...)} per batch instead of a JDBC batch of statements), with
 *     {@code use.reduction.buffer} (each key's last change per batch), without which a batch holding a key
 *     twice fails
 * @param workerMaxHeapMb the worker JVM's {@code -Xmx}, MiB, at least 256
 */
public record ConnectJdbcSinkConfig(Path workDir, Path workerClassPathFile, Mode mode, List<String> tables,
                                    int sinkBatchSizeRows, boolean unnestInsert, int workerMaxHeapMb) {

    /**
     * The sink batch size the smoke runs found fastest among 500, 2,000, 5,000 and 10,000 (10,000 was no
     * better; see bench/README.md).
     */
    public static final int DEFAULT_SINK_BATCH_SIZE_ROWS = 5_000;

    /**
     * The sink's unnest insert: off, the connector's default writer (a JDBC batch of single-row upserts).
     * On, it was no faster beyond the smoke runs' noise, and it needs the reduction buffer to be correct.
     */
    public static final boolean DEFAULT_UNNEST_INSERT = false;

    /** The worker heap, MiB (Kafka's {@code connect-*.sh} default is 2 GiB; this box has two cores). */
    public static final int DEFAULT_WORKER_MAX_HEAP_MB = 1_024;

    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_]*");

    /** How the source connector starts. */
    public enum Mode {
        /** {@code snapshot.mode=initial}: every row of the tables is read and sent, then changes stream. */
        SNAPSHOT("initial"),
        /** {@code snapshot.mode=no_data}: only the changes made after the slot is created. */
        STREAMING("no_data");

        private final String snapshotMode;

        Mode(String snapshotMode) {
            this.snapshotMode = snapshotMode;
        }

        /** @return Debezium's {@code snapshot.mode} value */
        public String snapshotMode() {
            return snapshotMode;
        }
    }

    public ConnectJdbcSinkConfig {
        requireNonNull(workDir, "workDir is null");
        requireNonNull(workerClassPathFile, "workerClassPathFile is null");
        requireNonNull(mode, "mode is null");
        tables = List.copyOf(requireNonNull(tables, "tables is null"));
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("tables is empty; name at least one schema.table");
        }
        for (String t : tables) {
            if (!TABLE.matcher(t).matches()) {
                throw new IllegalArgumentException("table '" + t + "' must be a lower-case schema.table matching "
                        + TABLE.pattern() + " (it goes unquoted into Debezium's include list)");
            }
        }
        if (sinkBatchSizeRows < 1) {
            throw new IllegalArgumentException("sinkBatchSizeRows must be at least 1, got " + sinkBatchSizeRows);
        }
        if (workerMaxHeapMb < 256) {
            throw new IllegalArgumentException("workerMaxHeapMb must be at least 256, got " + workerMaxHeapMb);
        }
    }

    /**
     * The defaults: {@link #DEFAULT_SINK_BATCH_SIZE_ROWS}, {@link #DEFAULT_UNNEST_INSERT}, {@link #DEFAULT_WORKER_MAX_HEAP_MB},
     * and the worker class path file under {@code projectRoot}.
     *
     * @param projectRoot the folder holding {@code bench/}
     */
    public static ConnectJdbcSinkConfig defaults(Path projectRoot, Path workDir, Mode mode, List<String> tables) {
        return new ConnectJdbcSinkConfig(workDir,
                projectRoot.resolve("bench/connect-worker/target/worker-classpath.txt"), mode, tables,
                DEFAULT_SINK_BATCH_SIZE_ROWS, DEFAULT_UNNEST_INSERT, DEFAULT_WORKER_MAX_HEAP_MB);
    }

    /** @return this config with another sink batch size, rows */
    public ConnectJdbcSinkConfig withSinkBatchSizeRows(int rows) {
        return new ConnectJdbcSinkConfig(workDir, workerClassPathFile, mode, tables, rows, unnestInsert,
                workerMaxHeapMb);
    }

    /** @return this config with the sink's unnest insert on or off */
    public ConnectJdbcSinkConfig withUnnestInsert(boolean on) {
        return new ConnectJdbcSinkConfig(workDir, workerClassPathFile, mode, tables, sinkBatchSizeRows, on,
                workerMaxHeapMb);
    }
}
