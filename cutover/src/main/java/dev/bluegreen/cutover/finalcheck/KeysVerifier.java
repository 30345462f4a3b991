package dev.bluegreen.cutover.finalcheck;

import dev.bluegreen.core.control.AppliedWatermark;
import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.cutover.coordinator.FreezeThreads;
import dev.bluegreen.cutover.parity.Difference;
import dev.bluegreen.cutover.parity.ParitySettings;
import dev.bluegreen.cutover.parity.ParityTable;
import dev.bluegreen.cutover.parity.compare.KeyCheck;
import dev.bluegreen.cutover.parity.compare.KeyInverse;
import dev.bluegreen.cutover.parity.recheck.Recheck;
import dev.bluegreen.cutover.parity.recheck.SinkWatermark;
import dev.bluegreen.cutover.parity.sql.BlueReader;
import dev.bluegreen.cutover.parity.sql.GreenReader;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Compares changed blue keys with green through the transform with the parity machinery: {@link KeyCheck} in
 * batches of {@value #BATCH_KEYS} keys, up to {@value #PARALLEL_READS} batches at once (of any table; while
 * replication is live {@value #LIVE_PARALLEL_READS}), the
 * deadline checked before each batch; while replication is live,
 * differing keys go through the {@link Recheck} (after the sink applied past their read, then a locked read),
 * with its waits bounded by what is left of the budget. Blue is read in short read-only transactions, which the
 * freeze's {@code EXCLUSIVE} locks let through. Not thread-safe (one verify at a time); {@link #close()} stops its
 * reader threads.
 */
final class KeysVerifier {

    /** Keys per blue and green read. */
    static final int BATCH_KEYS = 500;
    private static final int LISTED_KEYS = 20;
    private static final Duration LOCKED_RECHECK_MAX = Duration.ofSeconds(10);

    /**
     * Batches read at once (each holds one blue and one green connection while it runs): 6, so the batches of a
     * mapping of up to 6 small change sets (pgbench's four tables and the S5 probe's) are read in one wave inside
     * the freeze; {@code bluegreen cutover}'s pools (10 per side) hold them beside the freeze's own sessions.
     */
    static final int PARALLEL_READS = 6;

    /**
     * Batches read at once while replication is live (before the freeze): 2, so the passes that end right before the
     * freeze do not crowd blue while the application still writes (the router's pause waits for the transactions in
     * flight, which such a burst slows down).
     */
    static final int LIVE_PARALLEL_READS = 2;

    /** Most differing keys a live pass defers to the exact check inside the freeze; past it, they are rechecked. */
    static final int MAX_DEFERRED_KEYS = 2_000;

    /**
     * @param checkedKeys distinct keys compared
     * @param matchedAfterRecheck keys that differed at first and matched after a recheck (live only)
     * @param deferred differing keys left to the exact check inside the freeze (live only), per blue table
     */
    record Outcome(long checkedKeys, long matchedAfterRecheck, Map<TableId, List<Row>> deferred) {
        Outcome {
            deferred = Map.copyOf(deferred);
        }

        long deferredKeys() {
            return deferred.values().stream().mapToLong(List::size).sum();
        }
    }

    private final String pipeline;
    private final Engine blueEngine;
    private final DataSource blue;
    private final DataSource green;
    private final Map<TableId, ParityTable> tables;
    private final AppliedWatermark watermark;
    private ExecutorService readers;

    KeysVerifier(String pipeline, DataSource blue, Engine blueEngine, DataSource green, Map<TableId, ParityTable> tables,
                 AppliedWatermark watermark) {
        this.pipeline = pipeline;
        this.blueEngine = blueEngine;
        this.blue = blue;
        this.green = green;
        this.tables = Map.copyOf(tables);
        this.watermark = watermark;
    }

    /**
     * Checks every changed key. While replication is live, a key that differs is most often a change in flight
     * (read on blue before the sink applied it): such keys are deferred, up to {@value #MAX_DEFERRED_KEYS} in all,
     * to the exact check inside the freeze, which must look at them anyway, instead of waiting here for the sink
     * (three watermark waits per table cost seconds under load and kept part one slower than the change rate).
     * Past that many, the keys are rechecked here (after the sink applied past their read, then a locked read), so
     * a systematic difference is reported before the freeze rather than blowing the freeze's budget.
     *
     * @throws BluegreenException (PARITY_MISMATCH) naming the keys of the first table with rows that differ, or
     *     when the deadline passes before every key was checked
     * @throws SQLException when a server fails
     * @throws InterruptedException when interrupted while a recheck waits for the sink
     */
    Outcome verify(ChangedRowsCheck.Phase phase, ChangedKeys changed, Deadline deadline)
            throws SQLException, InterruptedException {
        long total = changed.distinctKeys();
        List<TableId> order = changed.tables();
        Map<TableId, KeyCheck> checks = new LinkedHashMap<>();
        for (TableId id : order) {
            ParityTable table = tables.get(id);
            checks.put(id, new KeyCheck(table.transform(), new BlueReader(table.blueSchema(),
                    table.transform().blueKeyColumns(), blueEngine), table.transform().targets().stream().map(GreenReader::new)
                    .toList(), BATCH_KEYS));
        }
        List<List<KeyCheck.Result>> read = readAll(phase, order, checks, changed, total, deadline);
        long settled = 0;
        Map<TableId, List<Row>> deferred = new LinkedHashMap<>();
        long deferredKeys = 0;
        for (int i = 0; i < order.size(); i++) {
            ParityTable table = tables.get(order.get(i));
            List<Difference> differences = new ArrayList<>();
            long readAt = -1;
            for (KeyCheck.Result r : read.get(i)) {
                differences.addAll(r.differences());
                readAt = Math.max(readAt, r.blueClockMs());
            }
            long differed = differences.stream().map(d -> d.blueKey() != null ? d.blueKey() : d.greenKey()).distinct()
                    .count();
            List<Row> blueKeys = differences.stream().map(Difference::blueKey).distinct().toList();
            if (phase.live && !differences.isEmpty() && !blueKeys.contains(null)
                    && deferredKeys + blueKeys.size() <= MAX_DEFERRED_KEYS) {
                deferred.put(order.get(i), blueKeys);
                deferredKeys += blueKeys.size();
                continue;
            }
            if (phase.live && !differences.isEmpty()) {
                differences = recheck(table, checks.get(order.get(i)), deadline).run(differences, readAt).remaining();
            }
            if (!differences.isEmpty()) {
                throw mismatch(phase, order.get(i), differences);
            }
            settled += differed;
        }
        return new Outcome(total, settled, deferred);
    }

    /**
     * Every batch of every table, up to {@value #PARALLEL_READS} at once (each one blue read, then one read per
     * green target, on connections of their own): inside the freeze the batches of pgbench's four tables one after
     * the other were most of the final check. Results per table, in batch order.
     */
    private List<List<KeyCheck.Result>> readAll(ChangedRowsCheck.Phase phase, List<TableId> order,
                                                Map<TableId, KeyCheck> checks, ChangedKeys changed, long total,
                                                Deadline deadline) throws SQLException, InterruptedException {
        AtomicLong done = new AtomicLong();
        Semaphore gate = new Semaphore(phase.live ? LIVE_PARALLEL_READS : PARALLEL_READS);
        List<List<Future<KeyCheck.Result>>> futures = new ArrayList<>();
        try {
            for (TableId id : order) {
                KeyCheck check = checks.get(id);
                List<Row> keys = changed.keys(id);
                List<Future<KeyCheck.Result>> batches = new ArrayList<>();
                for (int from = 0; from < keys.size(); from += BATCH_KEYS) {
                    List<Row> batch = keys.subList(from, Math.min(keys.size(), from + BATCH_KEYS));
                    batches.add(readers().submit(() -> {
                        gate.acquire();
                        try {
                            if (deadline.expired()) {
                                throw phase.budgetExceeded(deadline, String.format(Locale.ROOT, "after checking %,d of"
                                        + " %,d changed keys in %d tables", done.get(), total, order.size()));
                            }
                            KeyCheck.Result r = check.check(blue, green, batch);
                            done.addAndGet(batch.size());
                            return r;
                        } finally {
                            gate.release();
                        }
                    }));
                }
                futures.add(batches);
            }
            List<List<KeyCheck.Result>> out = new ArrayList<>();
            for (List<Future<KeyCheck.Result>> batches : futures) {
                List<KeyCheck.Result> results = new ArrayList<>();
                for (Future<KeyCheck.Result> f : batches) {
                    results.add(f.get());
                }
                out.add(results);
            }
            return out;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new SQLException("a changed-keys read failed: " + cause, cause);
        } finally {
            futures.forEach(batches -> batches.forEach(f -> f.cancel(true)));
        }
    }

    private ExecutorService readers() {
        if (readers == null) {
            // all started at the first verify, before the freeze
            readers = FreezeThreads.started(PARALLEL_READS, "bluegreen-final-check-" + pipeline.replace("%", "%%")
                    + "-%d");
        }
        return readers;
    }

    /** Stops the reader threads. Idempotent. */
    void close() {
        if (readers != null) {
            readers.shutdownNow();
        }
    }

    private Recheck recheck(ParityTable table, KeyCheck check, Deadline deadline) {
        Duration left = deadline.remaining();
        Duration locked = left.dividedBy(4).compareTo(LOCKED_RECHECK_MAX) < 0 ? left.dividedBy(4) : LOCKED_RECHECK_MAX;
        ParitySettings settings = ParitySettings.defaults().withChunkSizeRows(BATCH_KEYS)
                .withRecheck(ParitySettings.defaults().recheckAttempts(), left.dividedBy(4), locked);
        return new Recheck(settings, new SinkWatermark(green, pipeline, watermark, left), check, new KeyInverse(table),
                blue, green);
    }

    // the text is API: the keys appear as the Row form, e.g. {id=5}, which operators and tests look for
    private static BluegreenException mismatch(ChangedRowsCheck.Phase phase, TableId table, List<Difference> found) {
        String listed = found.stream().limit(LISTED_KEYS).map(KeysVerifier::describe)
                .collect(Collectors.joining("; "));
        String more = found.size() > LISTED_KEYS ? "; and " + (found.size() - LISTED_KEYS) + " more" : "";
        return new BluegreenException(ErrorCode.PARITY_MISMATCH, String.format(Locale.ROOT, "the final check %s found"
                + " %,d changed row%s of %s that differ%s between blue and green: %s%s. Run bluegreen verify for the"
                + " report with both sides, fix the mapping or green, then cut over again", phase.text, found.size(),
                found.size() == 1 ? "" : "s", table, found.size() == 1 ? "s" : "", listed, more));
    }

    private static String describe(Difference d) {
        String key = d.blueKey() != null ? d.blueKey().toString() : "green key " + d.greenKey();
        String columns = d.columns().isEmpty() ? "" : " in " + String.join(", ", d.columns());
        return key + " " + d.kind().jsonName() + columns + " (" + d.greenTable() + ")";
    }
}
