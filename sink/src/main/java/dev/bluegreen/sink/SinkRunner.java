package dev.bluegreen.sink;

import dev.bluegreen.core.config.SinkConfig;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.sink.apply.GreenApplier;
import dev.bluegreen.sink.apply.SqlStates;
import dev.bluegreen.sink.batch.BatchPlan;
import dev.bluegreen.sink.batch.BatchPlanner;
import dev.bluegreen.sink.deadletter.DeadLetter;
import dev.bluegreen.sink.deadletter.DeadLetterTable;
import dev.bluegreen.sink.offset.OffsetStore;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink: consumes change events, plans each polled batch, and applies it to green in one
 * transaction together with the dead letters, progress and the consumer offsets (design property
 * 3). Offsets live in green only; at each partition assignment the consumer seeks to them (or to
 * the beginning when none is stored).
 *
 * <p>Failure handling: a batch green rejects for one row's data (SQLState class 22/23) is re-run
 * row by row under savepoints and the rejected rows go to the dead-letter table; retriable errors
 * (see {@link SqlStates#isRetriable}) are retried with backoff, up to 10 times; anything else stops
 * the sink with {@link #failure()} set. The sink also stops when the dead-letter count exceeds the
 * budget.
 *
 * <p>Two stages, one batch apart: the sink thread polls and plans (decodes and maps) the next batch while a second
 * thread ({@code bluegreen-apply-<pipeline>}) applies the one before it to green, so the sink's decoding and green's
 * work overlap instead of taking turns. At most one batch is in flight; batches are applied, and their offsets stored,
 * in poll order. Before each partition assignment reads green's offsets, the batch in flight is finished, so a
 * rejoin after a stall (the consumer left its group while green held a batch past {@code max.poll.interval.ms})
 * resumes exactly after the last batch green committed. A batch the apply thread could not apply stops the sink at
 * the next batch with that batch's error in {@link #failure()}. With both stages on, a restarted apply process caught
 * up faster behind a 60 s pgbench backlog (S3, bench/README.md).
 *
 * <p>Lifecycle: {@link #start()} once, {@link #close()} to stop. Thread-safe.
 */
public final class SinkRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SinkRunner.class);

    private final String pipeline;
    private final SinkConfig config;
    private final DataSource green;
    private final Consumer<String, String> consumer;
    private final List<String> topics;
    private final BatchPlanner planner;
    private final GreenApplier applier;
    private final Clock clock;
    private final OffsetStore offsets;
    private final DeadLetterTable deadLetters;
    private final ProgressTable progress;
    private final RetryPolicy<Integer> retry;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    /** Applies the batches the sink thread planned, one at a time, in order. */
    private final ExecutorService applyThread;
    /** The batch being applied, or null; read and written on the sink thread only. */
    private Future<?> inFlight;
    private volatile boolean running = true;

    /**
     * @param consumer a consumer with auto-commit off; owned by the runner from now on (closed by it)
     * @param topics the change-event topics to consume
     */
    public SinkRunner(String pipeline, SinkConfig config, DataSource green, Consumer<String, String> consumer,
                      List<String> topics, BatchPlanner planner, GreenApplier applier, Clock clock) {
        this.pipeline = pipeline;
        this.config = config;
        this.green = green;
        this.consumer = consumer;
        this.topics = List.copyOf(topics);
        this.planner = planner;
        this.applier = applier;
        this.clock = clock;
        this.offsets = new OffsetStore(pipeline);
        this.deadLetters = new DeadLetterTable(pipeline);
        this.progress = new ProgressTable(pipeline);
        this.retry = RetryPolicy.<Integer>builder()
                .handleIf(e -> e instanceof SQLException s && SqlStates.isRetriable(s))
                .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(10))
                .withMaxRetries(10)
                .onRetry(e -> LOG.warn("{} - green failed, retry {} of 10: {}", pipeline, e.getAttemptCount(),
                        e.getLastException().toString()))
                .build();
        this.thread = new Thread(this::loop, "bluegreen-sink-" + pipeline);
        this.applyThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bluegreen-apply-" + pipeline);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts consuming on the sink's own thread. */
    public void start() {
        try (Connection c = green.getConnection()) {
            deadLettered.set(deadLetters.count(c));
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.GREEN_UNAVAILABLE, "sink cannot read green's control schema: "
                    + e.getMessage(), e);
        }
        thread.start();
    }

    /** Change events applied to green so far by this runner (events). */
    public long appliedEvents() {
        return applied.get();
    }

    /** Dead letters recorded for this pipeline, including earlier runs (rows). */
    public long deadLetters() {
        return deadLettered.get();
    }

    /** Why the sink stopped by itself, if it did. */
    public Throwable failure() {
        return failure.get();
    }

    /** True while the sink thread runs. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    private void loop() {
        try {
            consumer.subscribe(topics, new SeekToGreenOffsets());
            while (running) {
                ConsumerRecords<String, String> polled = consumer.poll(config.pollTimeout());
                if (polled.isEmpty()) {
                    if (inFlight != null && inFlight.isDone()) {
                        awaitInFlight(); // an idle sink still reports a batch that failed
                    }
                    continue;
                }
                List<ConsumerRecord<String, String>> records = new ArrayList<>(polled.count());
                polled.forEach(records::add);
                BatchPlan plan = planner.plan(records);
                awaitInFlight();
                inFlight = applyThread.submit(() -> {
                    applyWithRetry(plan);
                    applied.addAndGet(records.size());
                });
            }
        } catch (WakeupException e) {
            if (running) {
                failure.compareAndSet(null, e);
            }
        } catch (RuntimeException e) {
            stopped(e);
        } finally {
            // the batch in flight commits or rolls back before the sink stops
            try {
                awaitInFlight();
            } catch (RuntimeException e) {
                stopped(e);
            }
            applyThread.shutdown();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Waits for the batch in flight (if any) to be in green.
     *
     * @throws RuntimeException the error that stopped that batch (a {@link BluegreenException} for green's failures)
     */
    private void awaitInFlight() {
        Future<?> f = inFlight;
        if (f == null) {
            return;
        }
        inFlight = null;
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    f.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true; // the batch commits or rolls back in green either way: wait for it
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new BluegreenException(ErrorCode.INTERNAL_ERROR,
                    "applying a batch to green failed: " + cause, cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Records why the sink stopped (the first error wins) and logs it. */
    private void stopped(RuntimeException e) {
        // the consumer wraps what the rebalance listener throws (green's offsets, the batch in flight)
        RuntimeException why = e instanceof KafkaException && e.getCause() instanceof BluegreenException b ? b : e;
        failure.compareAndSet(null, why);
        LOG.error("{} - sink stopped: {}", pipeline, why.getMessage(), why);
    }

    private void applyWithRetry(BatchPlan plan) {
        long total;
        try {
            int dead = Failsafe.with(retry).get(() -> apply(plan));
            total = deadLettered.addAndGet(dead);
        } catch (FailsafeException e) {
            Throwable cause = e.getCause();
            throw new BluegreenException(ErrorCode.GREEN_UNAVAILABLE, "applying a batch to green failed: "
                    + cause.getMessage() + "; the batch was rolled back and its offsets not stored, so nothing is"
                    + " lost: fix green and run the pipeline again", cause);
        }
        if (total > config.deadLetterBudgetRows()) {
            throw new BluegreenException(ErrorCode.DEAD_LETTER_BUDGET_EXCEEDED, total + " rows are in the dead-letter"
                    + " table, over the budget of " + config.deadLetterBudgetRows() + " (sink.dead-letter-budget-rows);"
                    + " the sink stopped after storing them. See SELECT blue_table, error FROM bluegreen.dead_letter"
                    + " WHERE pipeline = '" + pipeline + "' in green, fix the mapping or green, then run again");
        }
    }

    /** Applies one plan in one transaction; returns how many events went to the dead-letter table. */
    private int apply(BatchPlan plan) throws SQLException {
        try (Connection c = green.getConnection()) {
            c.setAutoCommit(false);
            List<DeadLetter> dead;
            try {
                dead = applySegments(c, plan, false);
            } catch (SQLException e) {
                if (!SqlStates.isRowError(e)) {
                    c.rollback();
                    throw e;
                }
                c.rollback();
                LOG.warn("{} - green rejected a row ({}); re-applying the batch row by row", pipeline, e.getMessage());
                dead = applySegments(c, plan, true);
            }
            deadLetters.write(c, dead);
            long now = clock.millis();
            progress.write(c, plan.progress(), now);
            progress.writeLag(c, plan.heartbeatCommitMs(), now);
            progress.writeWatermarks(c, plan.watermarks());
            offsets.save(c, plan.nextOffsets());
            c.commit();
            if (!dead.isEmpty()) {
                LOG.warn("{} - {} event(s) went to the dead-letter table, e.g.: {}", pipeline, dead.size(),
                        dead.get(0).error());
            }
            return dead.size();
        }
    }

    private List<DeadLetter> applySegments(Connection c, BatchPlan plan, boolean rowByRow) throws SQLException {
        List<DeadLetter> dead = new ArrayList<>(plan.deadLetters());
        for (BatchPlan.Segment s : plan.segments()) {
            if (s instanceof BatchPlan.Truncate t) {
                applier.truncate(c, t.tables());
            } else {
                BatchPlan.Changes ch = (BatchPlan.Changes) s;
                dead.addAll(rowByRow ? applier.applyRowByRow(c, ch.actions()) : applier.applyBatch(c, ch.actions()));
            }
        }
        return dead;
    }

    /**
     * Stops the sink once the batch in flight is in green (or rolled back) and waits up to 30 s. Events fetched but
     * not yet applied are not in green's offsets, so the next start reads them again. Idempotent.
     */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class SeekToGreenOffsets implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            awaitInFlight(); // its offsets are in green once it is done: read them after it
            try (Connection c = green.getConnection()) {
                Map<TopicPartition, Long> stored = offsets.load(c, partitions);
                for (TopicPartition tp : partitions) {
                    Long next = stored.get(tp);
                    if (next != null) {
                        consumer.seek(tp, next);
                    } else {
                        consumer.seekToBeginning(List.of(tp));
                    }
                }
                LOG.info("{} - sink assigned {} partition(s), resuming from green's stored offsets {}", pipeline,
                        partitions.size(), stored);
            } catch (SQLException e) {
                throw new BluegreenException(ErrorCode.GREEN_UNAVAILABLE, "cannot read the sink offsets from green: "
                        + e.getMessage(), e);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            awaitInFlight(); // offsets are committed with each batch's transaction: let the one in flight finish
        }
    }
}
