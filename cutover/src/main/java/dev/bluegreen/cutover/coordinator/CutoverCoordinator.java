package dev.bluegreen.cutover.coordinator;

import dev.bluegreen.core.config.CutoverConfig;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.cutover.router.Router;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cutover coordinator: the protocol of the design ("Cutover protocol") as a state machine whose
 * phase is persisted in green ({@link CutoverStore}: {@code precheck}, {@code freeze}, {@code flip},
 * {@code done}) under an advisory lock, so a second coordinator refuses to start.
 *
 * <ol>
 *   <li>pre-checks ({@link Prechecks}; all run, all failures reported together);</li>
 *   <li>the final check's first part, before the freeze (rows changed since the parity pass);</li>
 *   <li>the freeze, fence, drain, the final check's second part, blue read-only, green opened, flip and
 *       release ({@link FreezeRun});</li>
 *   <li>the cutover report, recorded in green and returned.</li>
 * </ol>
 * Any failure or an exceeded budget before the flip aborts and stays on blue; the report says why. The
 * freeze window is measured from the router pause (or the first lock) to the release, in ms. Every step is
 * timed ({@link StepLog}).
 *
 * <p>One run per instance; not thread-safe.
 */
public final class CutoverCoordinator {

    private static final Logger LOG = LoggerFactory.getLogger(CutoverCoordinator.class);

    /**
     * Verifies the rows changed since the last parity pass. Throws {@link BluegreenException}
     * ({@link ErrorCode#PARITY_MISMATCH}) naming the keys when a row differs, or when the budget is not enough.
     */
    public interface FinalCheck {
        /** Before the freeze, while replication is live; returns a summary for the report. */
        String beforeFreeze(Duration budget) throws SQLException, InterruptedException;

        /** Inside the freeze, after the drain; returns a summary for the report. */
        String insideFreeze(Duration budget) throws SQLException, InterruptedException;
    }

    /** Hears about every finished step (for the terminal). */
    public interface StepListener {
        void step(CutoverStep step);
    }

    private final PipelineConfig config;
    private final CutoverConfig cutover;
    private final DataSource blue;
    private final DataSource green;
    private final Router router;
    private final List<CutoverTable> tables;
    private final FinalCheck finalCheck;
    private final StepListener listener;
    private final CutoverHooks hooks;
    private final Clock clock;
    private CutoverStore store;
    private StepLog log;

    /**
     * @param finalCheck the final check, or null when skipped ({@code --skip-final-verify})
     * @param hooks called at fixed points of the run ({@link CutoverHooks#NONE} for none)
     */
    public CutoverCoordinator(PipelineConfig config, CutoverConfig cutover, DataSource blue, DataSource green,
                              Router router, List<CutoverTable> tables, FinalCheck finalCheck, StepListener listener,
                              CutoverHooks hooks, Clock clock) {
        this.config = config;
        this.cutover = cutover;
        this.blue = blue;
        this.green = green;
        this.router = router;
        this.tables = List.copyOf(tables);
        this.finalCheck = finalCheck;
        this.listener = listener;
        this.hooks = hooks;
        this.clock = clock;
    }

    /**
     * Runs the cutover (or, with {@code dryRun}, every pre-check and the plan, changing nothing but the
     * run's own record in green's control schema).
     *
     * @return the report; outcome {@code flipped}, {@code aborted} (stayed on blue) or {@code planned}
     * @throws BluegreenException {@link ErrorCode#CUTOVER_REFUSED} when another coordinator runs or a
     *     pre-check fails (nothing was changed); GREEN_UNAVAILABLE when the control schema cannot be written
     */
    public CutoverReport run(boolean dryRun) {
        try (CutoverStore s = new CutoverStore(green, config.name())) {
            store = s;
            log = new StepLog(s::step, listener, clock);
            Instant t = clock.instant();
            long n0 = System.nanoTime();
            if (!s.tryLock()) {
                throw new BluegreenException(ErrorCode.CUTOVER_REFUSED, "another cutover coordinator of pipeline "
                        + config.name() + " is running (it holds the advisory lock in green); wait for it to end, or"
                        + " see bluegreen status");
            }
            int abandoned = s.closeAbandonedRuns();
            long id = s.begin(dryRun);
            log.record(new CutoverStep("precheck.coordinator-lock", t, StepLog.ms(n0), "ok", "advisory lock held in"
                    + " green" + (abandoned > 0 ? "; " + abandoned + " earlier run(s) that never ended marked failed" : "")));
            List<String> problems = new Prechecks(config, cutover, blue, green, router, tables, log, clock).run();
            if (!problems.isEmpty()) {
                String message = "pre-checks failed, nothing was changed: " + String.join("; ", problems);
                CutoverReport r = report(id, dryRun, dryRun ? "planned" : "aborted", message, null, null, List.of());
                s.finish(r.outcome(), null, null, message, r.toJson());
                if (dryRun) {
                    return r;
                }
                throw new BluegreenException(ErrorCode.CUTOVER_REFUSED, message);
            }
            if (dryRun) {
                plan();
                CutoverReport r = report(id, true, "planned", "dry run: every pre-check passed; nothing was changed",
                        null, null, List.of());
                s.finish("planned", null, null, r.message(), r.toJson());
                return r;
            }
            return cutover(id);
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.GREEN_UNAVAILABLE, "the cutover coordinator could not use green's"
                    + " control schema: " + e.getMessage() + "; run the pipeline once (bluegreen run) so it exists", e);
        } finally {
            router.resume(); // idempotent: no path leaves the router paused
            router.close();
        }
    }

    private CutoverReport cutover(long id) throws SQLException {
        if (finalCheck == null) {
            log.record(new CutoverStep("final-check", clock.instant(), 0, "skipped", "--skip-final-verify"));
        }
        FreezeRun.Outcome o = new FreezeRun(config, cutover, blue, green, router, tables, finalCheck, hooks, log, store)
                .run();
        Double freezeMs = o.freezeMs();
        String outcome = o.flipped() ? "flipped" : "aborted";
        CutoverReport r = report(id, false, outcome, o.message(), freezeMs, o.fence(), o.sequences());
        try {
            store.finish(outcome, freezeMs, o.fence(), r.message(), r.toJson());
        } catch (SQLException e) {
            // the cutover happened (or was aborted) whatever green's control schema says: report it all the same
            LOG.error("{} - recording the end of run {} ({}) in green failed: {}; bluegreen status will show it as"
                    + " died; the report file is the record", config.name(), id, outcome, e.getMessage());
        }
        if (o.flipped()) {
            LOG.info("{} - cutover done: {}", config.name(), r.message());
        } else {
            LOG.warn("{} - {}", config.name(), r.message());
        }
        return r;
    }

    private void plan() {
        List<String> planned = new ArrayList<>();
        planned.add(finalCheck == null ? "final check: skipped" : "final check of rows changed since the parity pass"
                + " (budget " + cutover.finalCheckBudget().toMillis() + " ms)");
        if (cutover.freeze() == CutoverConfig.Freeze.ROUTER_PAUSE) {
            planned.add("pause " + router.describe());
        }
        boolean mariaDb = Engine.of(config.blue()) == Engine.MARIADB;
        long blueTables = tables.stream().map(CutoverTable::blue).distinct().count();
        planned.add("lock " + blueTables + " blue table(s) " + (mariaDb ? "with LOCK TABLES ... READ, one session each"
                : "IN EXCLUSIVE MODE") + " (lock timeout " + cutover.lockTimeout().toMillis() + " ms)");
        planned.add("write the fence on blue bluegreen.heartbeat; wait up to " + cutover.drainTimeout().toMillis()
                + " ms for the sink to apply it");
        try (Connection g = green.getConnection()) {
            planned.add("set green sequences past blue + " + cutover.sequenceGap() + ": "
                    + GreenSwitch.describeSequences(g, tables));
        } catch (SQLException e) {
            planned.add("set green sequences (could not list them: " + e.getMessage() + ")");
        }
        planned.add("grant writes on green to " + cutover.applicationRole()
                + (mariaDb ? "" : "; revoke them on blue, end its sessions"));
        planned.add("flip " + router.describe() + " to green; release; freeze budget " + cutover.maxFreeze().toMillis()
                + " ms");
        if (mariaDb) {
            planned.add("then, blue's tables still locked: revoke the writes of user " + cutover.applicationRole()
                    + " on blue, kill its sessions, unlock");
        }
        for (String p : planned) {
            log.record(new CutoverStep("plan", clock.instant(), 0, "planned", p));
        }
    }

    private CutoverReport report(long id, boolean dryRun, String outcome, String message, Double freezeMs,
                                 BlueFreeze.Fence fence, List<GreenSwitch.SequenceMove> sequences) {
        return new CutoverReport(config.name(), id, dryRun, outcome, message, router.describe(),
                cutover.freeze().configName(), freezeMs, fence, sequences, log.steps());
    }
}
