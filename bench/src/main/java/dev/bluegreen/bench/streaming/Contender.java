package dev.bluegreen.bench.streaming;

import java.nio.file.Path;
import java.util.List;

/**
 * One way of replicating blue's pgbench tables (plus {@code bench_probe}) into green, measured by
 * {@link StreamingBench}: bluegreen ({@link BluegreenContender}), PostgreSQL's native logical
 * replication ({@link NativeContender}), and a place for further anchors (the Debezium JDBC sink on a
 * Kafka Connect worker plugs in here: implement this interface and add it in
 * {@link StreamingBench#contenders}).
 *
 * <p>Lifecycle, in this order: {@link #start} once, then any number of {@link #pause} / {@link #resume}
 * pairs, then {@link #close} (always, also after a failure). Green holds blue's data when {@code start}
 * is called, so a contender replicates from blue's current position without copying anything (no
 * snapshot) into the same green tables ({@link StreamPair#TABLES}, same names and columns, keyed by
 * their primary keys); the bench itself waits until a probe write reaches green before it measures. Not
 * thread-safe: one thread drives it.
 */
public interface Contender extends AutoCloseable {

    /** Short name used in series names and folders, e.g. {@code bluegreen}, {@code native}. */
    String name();

    /**
     * Starts replicating from blue's current position; may return before changes flow.
     *
     * @param run a unique label for this start ({@code [a-z0-9_]+}; slots, pipelines and folders are
     *     named after it)
     * @param dir an empty folder for its files (configs, logs)
     * @throws Exception when it cannot start
     */
    void start(String run, Path dir) throws Exception;

    /**
     * Stops consuming blue's changes and returns once nothing is consumed any more; blue keeps the
     * position (its slot retains the WAL), so the changes made meanwhile form a backlog.
     */
    void pause() throws Exception;

    /** Starts consuming again from the kept position; returns at once (the caller times the drain). */
    void resume() throws Exception;

    /**
     * The operating-system processes doing the replication now, whose memory the bench samples
     * (empty when it runs inside the servers, as native replication does). A JVM among them is also
     * sampled with {@code jstat} for its heap.
     */
    List<Proc> processes();

    /**
     * One process to sample.
     *
     * @param label what it is, e.g. {@code bluegreen run}, {@code embedded broker}
     * @param pid its operating-system id
     * @param jvm whether it is a JVM (then its heap is sampled too)
     */
    record Proc(String label, long pid, boolean jvm) {
    }

    /**
     * Throws when the contender stopped by itself (a crashed child process); called while the bench
     * waits on it. The default checks nothing.
     *
     * @throws IllegalStateException naming what stopped and where its log is
     */
    default void checkHealthy() {
    }

    /** Whether {@link #pause} / {@link #resume} work (S3 needs them); a contender without runs in S2 only. */
    default boolean pausable() {
        return true;
    }

    /** Stops replicating and removes what {@link #start} created on blue and green (slots, publications). */
    @Override
    void close() throws Exception;
}
