package dev.bluegreen.sink.backfill;

import dev.bluegreen.core.config.BackfillConfig;
import dev.bluegreen.core.dialect.postgres.PostgresDialect;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.sink.deadletter.DeadLetterTable;
import dev.failsafe.RateLimiter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * bluegreen's initial copy: parallel workers copy blue's key-range chunks into green (see {@link ChunkCopy}),
 * each chunk in one green transaction together with its done mark, so a crash loses at most the chunks in
 * flight and a restart continues with the rest ({@link BackfillStore#remaining}).
 *
 * <p>Consistency: on a first run every worker's blue session shows blue at the consistent point before the
 * caller releases it (PostgreSQL: it imports the slot's exported snapshot, {@code SET TRANSACTION
 * SNAPSHOT}; MariaDB: it is one of the readers opened under the consistent point's lock), so all chunks show
 * blue at that point, and the stream from it holds exactly the later changes. A resumed run has no exported snapshot any more:
 * its workers read the remaining chunks in snapshots taken now, later than the consistent point. That is
 * still exact once the stream is applied, because the sink applies every change from the consistent point
 * on as an idempotent upsert or delete by key in commit order: a row copied at a later time is overwritten
 * by its own later changes and ends in its final state (the argument of DBLog's watermark-based snapshots,
 * Andreakis and Papapanagiotou, 2020). The sink must not apply the stream before the copy is complete.
 *
 * <p>Throttle ({@code max-rows-per-second}) is shared by all workers (Failsafe's smooth rate limiter). Not
 * reusable: one {@link #run} per instance; {@link #cancel} may be called from any thread.
 */
public final class Backfill {

    private static final Logger LOG = LoggerFactory.getLogger(Backfill.class);

    /** Opens a new connection. */
    @FunctionalInterface
    public interface Connections {
        Connection open() throws SQLException;
    }

    /**
     * Blue sessions for the copy's workers, each already inside the copy's snapshot (see {@link #postgres}
     * and the MariaDB capture's {@code BinlogSnapshot}). Called from worker threads: thread-safe.
     */
    public interface BlueSessions {
        /**
         * A blue session inside the snapshot, in a transaction the worker ends with {@code COMMIT} before it
         * closes the session.
         *
         * @throws SQLException when blue fails or the snapshot can no longer be joined
         */
        Connection open() throws SQLException;

        /** Every worker has its session (or gave up): the caller may release the consistent point. */
        default void allOpened() {
        }
    }

    /**
     * PostgreSQL sessions: each opens a connection, names it {@code bluegreen backfill <pipeline>} and
     * imports the exported snapshot (see {@link #beginPostgresSnapshot}); {@code release} runs once every
     * worker has.
     *
     * @param snapshotName the exported snapshot, or null on a resumed run (each worker takes its own)
     */
    public static BlueSessions postgres(String pipeline, Connections blue, String snapshotName, Runnable release) {
        return new BlueSessions() {
            @Override
            public Connection open() throws SQLException {
                Connection c = blue.open();
                try (Statement st = c.createStatement()) {
                    st.execute("SET application_name = 'bluegreen backfill " + pipeline + "'");
                    beginPostgresSnapshot(c, snapshotName);
                } catch (SQLException | RuntimeException e) {
                    c.close();
                    throw e;
                }
                return c;
            }

            @Override
            public void allOpened() {
                release.run();
            }
        };
    }

    /** Progress callbacks, called from worker threads; implementations must be thread-safe. */
    public interface Listener {
        /** Before the copy: a table's chunks still to copy and rows already copied. */
        default void table(TableId table, int chunksLeft, int chunks, long rowsCopied, long estimateRows) {
        }

        /** Rows read from blue for a table (rows, a delta). */
        default void rowsRead(TableId table, long rows) {
        }

        /** A table's last chunk is in green. */
        default void tableDone(TableId table) {
        }

        /** A dropped secondary index was built again, in {@code ms}. */
        default void indexBuilt(BackfillStore.DroppedIndex index, long ms) {
        }
    }

    /** What a run did. */
    public record Result(long rowsCopied, long rowsWritten, long deadLetters, int chunks, long ms, int indexesBuilt) {
    }

    private final String pipeline;
    private final BackfillConfig settings;
    private final long deadLetterBudget;
    private final Map<TableId, BackfillTable> tables;
    private final Listener listener;
    private final BackfillStore store;
    private final RateLimiter<Object> limiter;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean cancelled;

    /**
     * @param deadLetterBudget rows the pipeline may dead-letter in all (the sink's budget; rows already in
     *     the dead-letter table count)
     * @param tables every blue table of the pipeline
     */
    public Backfill(String pipeline, BackfillConfig settings, long deadLetterBudget, List<BackfillTable> tables,
                    Listener listener) {
        this.pipeline = pipeline;
        this.settings = settings;
        this.deadLetterBudget = deadLetterBudget;
        Map<TableId, BackfillTable> byId = new LinkedHashMap<>();
        tables.forEach(t -> byId.put(t.id(), t));
        this.tables = byId;
        this.listener = listener;
        this.store = new BackfillStore(pipeline);
        this.limiter = settings.maxRowsPerSecond() <= 0 ? null
                : RateLimiter.smoothBuilder(settings.maxRowsPerSecond(), Duration.ofSeconds(1)).build();
    }

    /**
     * Plans every table's chunks in the caller's transaction on {@code blue}, which must already show the
     * copy's snapshot ({@link #beginPostgresSnapshot}, or a MariaDB reader of the consistent point), so the
     * plan covers exactly the rows the copy will read. Leaves the transaction open.
     *
     * @throws SQLException when blue fails
     */
    public List<Chunk> plan(Connection blue) throws SQLException {
        List<Chunk> out = new ArrayList<>();
        for (BackfillTable t : tables.values()) {
            List<Chunk> chunks = ChunkPlanner.plan(blue, t, settings.chunkRows());
            LOG.info("{} - backfill plan: {} in {} chunk(s) of about {} rows, {}", pipeline, t.id(), chunks.size(),
                    settings.chunkRows(), copyPath(t));
            out.addAll(chunks);
        }
        return out;
    }

    /**
     * Starts a repeatable-read, read-only transaction on an autocommit PostgreSQL connection and imports the
     * exported snapshot into it (none: the transaction takes its own at its first read). Literals inlined
     * into COPY and plan statements need {@code standard_conforming_strings}, which it sets.
     *
     * @throws SQLException when blue fails or the snapshot can no longer be imported
     */
    public static void beginPostgresSnapshot(Connection blue, String snapshotName) throws SQLException {
        try (Statement st = blue.createStatement()) {
            st.execute("SET standard_conforming_strings = on");
            st.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            if (snapshotName != null) {
                st.execute("SET TRANSACTION SNAPSHOT " + PostgresDialect.INSTANCE.literal(snapshotName));
            }
        }
    }

    /** How a table's rows travel ({@code pipe} or {@code rows} and why). */
    public String copyPath(BackfillTable t) {
        if (usePipe(t)) {
            return "piped unchanged (the mapping only renames or drops columns of identical types)";
        }
        return "decoded and mapped per row (" + (settings.path().equals("rows") ? "backfill.path: rows"
                : t.pipeReason()) + ")";
    }

    private boolean usePipe(BackfillTable t) {
        return settings.path().equals("auto") && t.pipeable();
    }

    /**
     * Drops the targets' secondary indexes for {@code indexes: build-after}, recording each so that it is
     * built again even after a crash; in the caller's green transaction (the plan's).
     *
     * @return the indexes dropped
     */
    public List<BackfillStore.DroppedIndex> dropSecondaryIndexes(Connection green) throws SQLException {
        List<BackfillStore.DroppedIndex> out = new ArrayList<>();
        if (!settings.buildIndexesAfter()) {
            return out;
        }
        for (BackfillTable t : tables.values()) {
            for (var target : t.transform().targets()) {
                for (BackfillStore.DroppedIndex i : SecondaryIndexes.of(green, target.table())) {
                    store.recordIndex(green, i);
                    SecondaryIndexes.drop(green, i);
                    out.add(i);
                }
            }
        }
        return out;
    }

    /**
     * Copies every chunk not copied yet, then builds the dropped indexes and marks the backfill done.
     *
     * @param blue the workers' sessions, each inside the copy's snapshot; {@link BlueSessions#allOpened} is
     *     called once every worker has its session
     * @throws BluegreenException when a chunk fails (naming table, chunk and cause; what was committed
     *     stays, and a restart resumes after it), the dead-letter budget is exceeded, or the run is
     *     cancelled
     */
    public Result run(BlueSessions blue, Connections green) {
        long started = System.nanoTime();
        List<Chunk> remaining;
        Map<TableId, AtomicInteger> left = new HashMap<>();
        long deadBefore;
        try (Connection g = green.open()) {
            Map<String, TableId> names = new HashMap<>();
            tables.keySet().forEach(t -> names.put(t.toString(), t));
            remaining = store.remaining(g, names);
            Map<String, BackfillStore.TableCounts> counts = store.counts(g);
            for (BackfillTable t : tables.values()) {
                BackfillStore.TableCounts c = counts.getOrDefault(t.id().toString(),
                        new BackfillStore.TableCounts(0, 0, 0, 0));
                left.put(t.id(), new AtomicInteger(c.left()));
                listener.table(t.id(), c.left(), c.planned(), c.rowsCopied(), c.estimateRows());
            }
            deadBefore = new DeadLetterTable(pipeline).count(g);
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.GREEN_UNAVAILABLE, "reading the backfill's chunks in green failed: "
                    + e.getMessage(), e);
        }
        ConcurrentLinkedQueue<Chunk> queue = new ConcurrentLinkedQueue<>(remaining);
        int workers = (int) Math.max(1, Math.min(settings.parallelism(), remaining.size()));
        CountDownLatch imported = new CountDownLatch(workers);
        AtomicLong rowsRead = new AtomicLong();
        AtomicLong rowsWritten = new AtomicLong();
        AtomicLong dead = new AtomicLong(deadBefore);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            Thread t = new Thread(() -> work(blue, green, imported, queue, left, rowsRead, rowsWritten,
                    dead), "bluegreen-backfill-" + w);
            threads.add(t);
            t.start();
        }
        try {
            while (!imported.await(100, TimeUnit.MILLISECONDS)) {
                if (threads.stream().noneMatch(Thread::isAlive)) {
                    break;
                }
            }
            blue.allOpened();
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            cancelled = true;
            threads.forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
            throw new BluegreenException(ErrorCode.INTERNAL_ERROR, "the backfill was interrupted; a restart resumes"
                    + " after the last copied chunk", e);
        }
        Throwable f = failure.get();
        if (f != null) {
            throw f instanceof BluegreenException b ? b : new BluegreenException(ErrorCode.INTERNAL_ERROR,
                    "the backfill failed: " + f.getMessage(), f);
        }
        if (cancelled) {
            throw new BluegreenException(ErrorCode.INTERNAL_ERROR, "the backfill was stopped; a restart resumes after"
                    + " the last copied chunk");
        }
        int built = buildIndexes(green);
        try (Connection g = green.open()) {
            store.markDone(g);
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.GREEN_UNAVAILABLE, "recording the finished backfill in green failed: "
                    + e.getMessage(), e);
        }
        return new Result(rowsRead.get(), rowsWritten.get(), dead.get() - deadBefore, remaining.size(),
                (System.nanoTime() - started) / 1_000_000, built);
    }

    /** Stops the workers after the rows in flight; {@link #run} then throws. Idempotent, any thread. */
    public void cancel() {
        cancelled = true;
    }

    private void work(BlueSessions blueSource, Connections greenSource, CountDownLatch imported,
                      ConcurrentLinkedQueue<Chunk> queue, Map<TableId, AtomicInteger> left, AtomicLong rowsRead,
                      AtomicLong rowsWritten, AtomicLong dead) {
        boolean counted = false;
        Chunk current = null;
        try (Connection blue = blueSource.open(); Connection green = greenSource.open()) {
            imported.countDown();
            counted = true;
            green.setAutoCommit(false);
            try (Statement st = green.createStatement()) {
                // a lost commit loses the chunk's done mark with its rows: the chunk is copied again
                st.execute("SET synchronous_commit = off");
            }
            green.commit();
            DeadLetterTable deadLetters = new DeadLetterTable(pipeline);
            while (!cancelled && failure.get() == null && (current = queue.poll()) != null) {
                BackfillTable table = tables.get(current.table());
                TableId id = table.id();
                ChunkCopy copy = new ChunkCopy(rows -> {
                    if (cancelled || failure.get() != null) {
                        throw new InterruptedException("backfill stopped");
                    }
                    if (limiter != null && rows > 0) {
                        limiter.acquirePermits(rows);
                    }
                    rowsRead.addAndGet(rows);
                    listener.rowsRead(id, rows);
                });
                long t0 = System.nanoTime();
                ChunkCopy.Result r;
                try {
                    r = copy.copy(blue, green, table, current, usePipe(table));
                    if (!r.deadLetters().isEmpty()) {
                        deadLetters.write(green, r.deadLetters());
                        long total = dead.addAndGet(r.deadLetters().size());
                        if (total > deadLetterBudget) {
                            throw new BluegreenException(ErrorCode.DEAD_LETTER_BUDGET_EXCEEDED, total + " rows rejected"
                                    + " by the mapping, more than sink.dead-letter-budget-rows (" + deadLetterBudget
                                    + "); in " + id + ", chunk " + current.no() + ": " + r.deadLetters().get(0).error()
                                    + ". Nothing of this chunk was committed. Fix the mapping or the rows (or raise the"
                                    + " budget), then restart: the backfill resumes at this chunk");
                        }
                    }
                    try {
                        store.markCopied(green, current, r.rowsWritten(), (System.nanoTime() - t0) / 1_000_000);
                        green.commit();
                    } catch (SQLException e) {
                        throw new ChunkCopy.GreenWriteException("committing the chunk in green failed", e);
                    }
                } catch (Exception e) {
                    rollbackQuietly(green);
                    throw e;
                }
                rowsWritten.addAndGet(r.rowsWritten());
                if (left.get(id).decrementAndGet() == 0) {
                    store.markTableDone(green, id);
                    green.commit();
                    listener.tableDone(id);
                }
                current = null;
            }
            try (Statement st = blue.createStatement()) {
                st.execute("COMMIT");
            }
        } catch (InterruptedException e) {
            if (!cancelled && failure.get() == null) {
                failure.compareAndSet(null, e);
            }
        } catch (BluegreenException e) {
            failure.compareAndSet(null, e);
        } catch (Exception e) {
            String where = current == null ? "" : " chunk " + current.no() + " of " + current.table() + " ("
                    + tables.get(current.table()).rangePredicate(current) + ")";
            boolean green = e instanceof ChunkCopy.GreenWriteException;
            failure.compareAndSet(null, new BluegreenException(green ? ErrorCode.GREEN_UNAVAILABLE
                    : ErrorCode.BLUE_UNAVAILABLE, "backfill of" + where + " failed " + (green ? "writing green" : "in blue")
                    + ": " + e.getMessage() + "; chunks already copied stay in green and a restart resumes with the rest",
                    e));
        } finally {
            if (!counted) {
                imported.countDown();
            }
        }
    }

    private int buildIndexes(Connections green) {
        int built = 0;
        try (Connection g = green.open()) {
            Map<String, TableId> names = new HashMap<>();
            tables.values().forEach(t -> t.transform().targets().forEach(s -> names.put(s.table().toString(), s.table())));
            for (BackfillStore.DroppedIndex i : store.indexesToBuild(g, names)) {
                long t0 = System.nanoTime();
                LOG.info("{} - backfill: building index {} on {}", pipeline, i.name(), i.table());
                SecondaryIndexes.build(g, i);
                store.markIndexBuilt(g, i);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                listener.indexBuilt(i, ms);
                built++;
            }
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.GREEN_UNAVAILABLE, "building green's secondary indexes after the"
                    + " backfill failed: " + e.getMessage() + "; a restart builds the remaining ones", e);
        }
        return built;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is closed next; the server rolls back
        }
    }
}
