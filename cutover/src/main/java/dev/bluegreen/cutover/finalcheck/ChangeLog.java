package dev.bluegreen.cutover.finalcheck;

import java.util.List;
import java.util.function.Consumer;

/**
 * Read access to the pipeline's table topics, where every captured blue change is kept (retention -1).
 * The cutover module does not depend on Kafka; the {@code cli} module implements this with a Kafka
 * consumer that assigns and seeks (no consumer group, nothing committed).
 *
 * <p>Lifecycle: any number of {@link #read} calls, then {@link #close()}. Not thread-safe.
 */
public interface ChangeLog extends AutoCloseable {

    /**
     * Hands every record of the ranges to {@code each}, in offset order within a partition (no order across
     * partitions), and stops early when the deadline passes.
     *
     * @param ranges the offset ranges to read; empty ranges are allowed
     * @return true when every range was read to its end, false when the deadline passed first
     * @throws dev.bluegreen.core.error.BluegreenException (BROKER_UNAVAILABLE) when the broker cannot be read or
     *     no longer holds a range's records
     * @throws InterruptedException when interrupted
     */
    boolean read(List<OffsetRange> ranges, Deadline deadline, Consumer<ChangeRecord> each) throws InterruptedException;

    /** Releases the broker connection. Idempotent. */
    @Override
    void close();
}
