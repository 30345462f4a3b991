package dev.bluegreen.cutover.finalcheck;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.control.AppliedWatermark;
import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.event.envelope.DebeziumEnvelopeDecoder;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.cutover.coordinator.CutoverCoordinator;
import dev.bluegreen.cutover.parity.ParityTable;
import dev.bluegreen.cutover.parity.Positions;
import dev.bluegreen.cutover.parity.report.ParityRunStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cutover's final check (issue 4, item 6): verifies the rows changed since the last parity pass.
 *
 * <p>Why changed keys are enough: {@code bluegreen verify} records the sink's Kafka offsets when it started
 * ({@code green_offsets_start}). A blue key with no record after those offsets was changed neither on blue (every
 * blue change reaches its table topic, and anything not applied when the verify started lies after them) nor in
 * green (the sink only writes what it reads there), so the verify's verdict on it still holds. Every other key is
 * named by a record in the table topics between those offsets and the sink's current ones.
 *
 * <ol>
 *   <li>{@link #beforeFreeze}: reads the table topics from the parity pass's start offsets up to the sink's
 *       current stored offsets ({@code bluegreen.sink_offset}), collects the distinct blue keys per table
 *       ({@link ChangedKeys}), and compares them through the transform ({@link KeysVerifier}); with replication
 *       live, differing keys are rechecked once the sink applied past their read.</li>
 *   <li>{@link #insideFreeze}: the same for the records after what part one covered, up to the sink's offsets
 *       after the drain (the fence); blue is frozen and drained, so one plain comparison is exact.</li>
 * </ol>
 * Either part throws {@link BluegreenException} {@link ErrorCode#PARITY_MISMATCH} naming the keys when a row
 * differs, when a table was truncated since the pass (its vanished rows have no keys to check), or when its
 * budget runs out (saying how far it got, and the fix); {@link ErrorCode#CUTOVER_REFUSED} when there is no
 * complete parity pass to start from or the sink's offsets went back since.
 *
 * <p>One instance per cutover, parts in order; not thread-safe. {@link #close()} closes the change log and the key
 * readers' threads.
 */
public final class ChangedRowsCheck implements CutoverCoordinator.FinalCheck, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangedRowsCheck.class);
    /**
     * A catch-up pass this short ends part one (ms). Part two reads what changed during the last pass, inside the
     * freeze: with 200 ms here, the last pass took 98-134 ms under the S5 load and part two read 163-241 records
     * (13-26 ms of the freeze window).
     */
    static final long CATCH_UP_PASS_MS = 50;
    /** Most catch-up passes in part one. */
    static final int MAX_PASSES = 8;
    /**
     * A pass that is not at least this much shorter than the one before ends part one as well (ratio): the passes
     * have converged on what one pass costs whatever it reads (its round trips to Kafka, blue and green).
     */
    static final double CONVERGED = 0.8;

    private final String pipeline;
    private final DataSource green;
    private final Map<String, TableId> tableByTopic = new LinkedHashMap<>();
    private final ChangeLog log;
    private final KeysVerifier verifier;
    private final Map<TableId, List<String>> keyColumns = new LinkedHashMap<>();
    private final DebeziumEnvelopeDecoder decoder;
    private Map<String, Long> covered;
    private Map<TableId, List<Row>> deferred = Map.of();

    /**
     * @param config the pipeline (its name, table topics and partitions)
     * @param tables every mapped blue table with its catalog entry and compiled transform
     * @param log the table topics; owned by this check from now on (closed by {@link #close()})
     */
    public ChangedRowsCheck(PipelineConfig config, DataSource blue, DataSource green, List<ParityTable> tables,
                            ChangeLog log) {
        this.pipeline = config.name();
        this.green = requireNonNull(green, "green is null");
        this.log = requireNonNull(log, "log is null");
        Map<TableId, TableSchema> schemas = new LinkedHashMap<>();
        Map<TableId, ParityTable> byTable = new LinkedHashMap<>();
        for (ParityTable t : tables) {
            TableId id = t.mapping().blue();
            tableByTopic.put(config.topic(id), id);
            keyColumns.put(id, t.transform().blueKeyColumns());
            schemas.put(id, t.blueSchema());
            byTable.put(id, t);
        }
        this.decoder = new DebeziumEnvelopeDecoder(schemas);
        this.verifier = new KeysVerifier(pipeline, requireNonNull(blue, "blue is null"), Engine.of(config.blue()), green, byTable,
                new AppliedWatermark(green, config));
    }

    /**
     * Part one, before the freeze, while replication runs: catch-up passes, each over the records after the one
     * before, until a pass takes at most {@value #CATCH_UP_PASS_MS} ms (then part two, inside the freeze, has about
     * as little to check), a pass was not shorter than {@value #CONVERGED} x the one before (more passes would not
     * shrink part two), {@value #MAX_PASSES} passes ran, or what is left of the budget is shorter than the last
     * pass (the next one covers only what changed during it, so it is shorter still).
     *
     * @return e.g. {@code "1,234 changed keys in 3 tables checked, all match (412 ms: green's sink offsets read in
     *     2 ms, 5,020 records from Kafka in 180 ms, compared in 230 ms)"}, one
     *     such summary per pass
     * @throws BluegreenException as the class says
     * @throws SQLException when blue or green fails
     * @throws InterruptedException when interrupted
     */
    @Override
    public String beforeFreeze(Duration budget) throws SQLException, InterruptedException {
        long t0 = System.nanoTime();
        List<String> passes = new ArrayList<>();
        long previousNanos = Long.MAX_VALUE;
        while (true) {
            long p0 = System.nanoTime();
            if (passes.isEmpty()) {
                passes.add(part(Phase.BEFORE_FREEZE, budget));
            } else {
                try {
                    passes.add(part(Phase.BEFORE_FREEZE, budget.minusNanos(p0 - t0)));
                } catch (BudgetExceeded e) {
                    // a catch-up pass that does not fit changes nothing: part two starts where the last whole pass ended
                    passes.add("catch-up pass " + (passes.size() + 1) + " stopped at the budget");
                    break;
                }
            }
            long passNanos = System.nanoTime() - p0;
            long leftNanos = budget.toNanos() - (System.nanoTime() - t0);
            // a pass covers what changed during the one before, so the next is shorter: go on while one more fits
            if (passNanos <= CATCH_UP_PASS_MS * 1_000_000L || passNanos > CONVERGED * previousNanos
                    || passes.size() >= MAX_PASSES || leftNanos < passNanos) {
                break;
            }
            previousNanos = passNanos;
        }
        return passes.size() == 1 ? passes.get(0) : passes.size() + " passes, each over what changed during the one"
                + " before: " + String.join("; ", passes);
    }

    /**
     * Part two, inside the freeze after the drain: the records after what part one covered (from the parity
     * pass when part one did not run).
     *
     * @return a summary as for {@link #beforeFreeze}
     * @throws BluegreenException as the class says
     * @throws SQLException when blue or green fails
     * @throws InterruptedException when interrupted
     */
    @Override
    public String insideFreeze(Duration budget) throws SQLException, InterruptedException {
        return part(Phase.INSIDE_FREEZE, budget);
    }

    private String part(Phase phase, Duration budget) throws SQLException, InterruptedException {
        long t0 = System.nanoTime();
        Deadline deadline = Deadline.after(budget);
        Map<String, Long> from;
        Map<String, Long> to;
        try (Connection g = green.getConnection()) {
            from = covered != null ? covered : parityPassStart(g);
            to = Positions.sinkOffsets(g, pipeline);
        }
        long offsetsNanos = System.nanoTime() - t0;
        List<OffsetRange> ranges;
        try {
            ranges = OffsetRange.between(from, to, tableByTopic.keySet());
        } catch (IllegalStateException e) {
            throw new BluegreenException(ErrorCode.CUTOVER_REFUSED, "the final check " + phase.text + " cannot tell"
                    + " what changed since the last parity pass: " + e.getMessage(), e);
        }
        ChangedKeys changed = read(phase, ranges, deadline);
        deferred.forEach((table, keys) -> keys.forEach(k -> changed.add(table, k)));
        long readNanos = System.nanoTime() - t0;
        KeysVerifier.Outcome outcome = verifier.verify(phase, changed, deadline);
        covered = to;
        deferred = outcome.deferred();
        String summary = summary(changed, outcome, t0, offsetsNanos, readNanos);
        LOG.info("{} - final check {}: {}", pipeline, phase.text, summary);
        return summary;
    }

    private Map<String, Long> parityPassStart(Connection g) throws SQLException {
        Optional<ParityRunStore.RunStart> run = ParityRunStore.latestStart(g, pipeline);
        if (run.isEmpty() || !"parity".equals(run.get().result()) || !run.get().complete()) {
            throw new BluegreenException(ErrorCode.CUTOVER_REFUSED, "the final check needs the latest bluegreen verify"
                    + " of " + pipeline + " to be a complete parity pass, and it is "
                    + run.map(r -> r.result() + (r.complete() ? "" : " on a subset of tables") + " (run " + r.id() + ")")
                    .orElse("missing") + "; run a complete bluegreen verify, then cut over");
        }
        return run.get().greenOffsetsStart();
    }

    private ChangedKeys read(Phase phase, List<OffsetRange> ranges, Deadline deadline) throws InterruptedException {
        ChangedKeys changed = new ChangedKeys(tableByTopic, keyColumns, decoder);
        long total = ranges.stream().mapToLong(OffsetRange::size).sum();
        if (!log.read(ranges, deadline, changed::accept)) {
            throw phase.budgetExceeded(deadline, String.format(Locale.ROOT, "while reading the changes from Kafka"
                    + " (%,d of %,d records read)", changed.records(), total));
        }
        if (!changed.truncates().isEmpty()) {
            throw new BluegreenException(ErrorCode.PARITY_MISMATCH, "the final check " + phase.text + " found "
                    + changed.truncates().keySet() + " truncated on blue since the last parity pass (records "
                    + changed.truncates().values() + "); rows removed by a truncate leave no keys to check: run"
                    + " bluegreen verify again after the truncate, then cut over");
        }
        return changed;
    }

    private static String summary(ChangedKeys changed, KeysVerifier.Outcome outcome, long t0, long offsetsNanos,
                                  long readNanos) {
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long readMs = readNanos / 1_000_000;
        int tables = changed.tables().size();
        String rechecked = outcome.matchedAfterRecheck() == 0 ? ""
                : String.format(Locale.ROOT, ", %,d after a recheck", outcome.matchedAfterRecheck());
        String match = outcome.deferredKeys() == 0 ? "all match" : String.format(Locale.ROOT, "%,d match, %,d differ"
                + " (changes in flight, left to the exact check inside the freeze)",
                outcome.checkedKeys() - outcome.deferredKeys(), outcome.deferredKeys());
        return String.format(Locale.ROOT, "%,d changed key%s in %d table%s checked, %s%s (%d ms: green's sink offsets"
                        + " read in %d ms, %,d records from Kafka in %d ms, compared in %d ms)", outcome.checkedKeys(),
                outcome.checkedKeys() == 1 ? "" : "s", tables, tables == 1 ? "" : "s", match, rechecked, ms,
                offsetsNanos / 1_000_000, changed.records(), (readNanos - offsetsNanos) / 1_000_000, ms - readMs);
    }

    /** Closes the change log and stops the key readers' threads. Idempotent. */
    @Override
    public void close() {
        verifier.close();
        log.close();
    }

    /** Which part runs; says how to word its messages. */
    enum Phase {
        BEFORE_FREEZE("before the freeze", true, ""),
        INSIDE_FREEZE("inside the freeze", false, " (inside the freeze the budget is also bounded by what is left of"
                + " cutover.max-freeze-ms)");

        final String text;
        final boolean live;
        private final String budgetNote;

        Phase(String text, boolean live, String budgetNote) {
            this.text = text;
            this.live = live;
            this.budgetNote = budgetNote;
        }

        // the text is API: operators and tests look for the two fixes it names
        BudgetExceeded budgetExceeded(Deadline deadline, String progress) {
            return new BudgetExceeded("the final check " + text + " ran out of its"
                    + " budget of " + deadline.budget().toMillis() + " ms " + progress + "; the rows changed since the"
                    + " last parity pass could not all be checked: run bluegreen verify closer to the cutover, or raise"
                    + " cutover.final-check-budget-ms" + budgetNote);
        }
    }

    /** The budget ran out (code PARITY_MISMATCH: what changed could not all be checked). */
    static final class BudgetExceeded extends BluegreenException {
        private static final long serialVersionUID = 1L;

        BudgetExceeded(String message) {
            super(ErrorCode.PARITY_MISMATCH, message);
        }
    }
}
