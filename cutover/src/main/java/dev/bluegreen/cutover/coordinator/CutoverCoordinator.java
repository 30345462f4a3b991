package dev.bluegreen.cutover.coordinator;

import dev.bluegreen.core.config.CutoverConfig;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.control.AppliedWatermark;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.core.event.Markers;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.cutover.parity.report.ParityRunStore;
import dev.bluegreen.cutover.router.PgBouncerRouter;
import dev.bluegreen.cutover.router.Router;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cutover coordinator: the protocol of the design ("Cutover protocol") as a state machine whose
 * phase is persisted in green ({@link CutoverStore}) under an advisory lock.
 *
 * <ol>
 *   <li>pre-checks (all run, all failures reported together): coordinator lock, pipeline running, lag,
 *       a recent complete parity pass, roles and privileges, green not writable by the application, the
 *       router reachable;</li>
 *   <li>the final check's first part, before the freeze (rows changed since the parity pass);</li>
 *   <li>freeze: router pause (strategy {@code router-pause}), then the coordinator's own locks on blue;</li>
 *   <li>fence: one heartbeat on blue, its counter and LSN noted;</li>
 *   <li>drain: wait until every partition of every table topic applied the fence's watermark;</li>
 *   <li>the final check's second part, inside the freeze (rows changed since part one; exact, blue is
 *       frozen and drained);</li>
 *   <li>green: sequences past blue's values plus the gap, write privileges for the application (one green
 *       transaction, committed after the flip);</li>
 *   <li>blue: write privileges revoked, the role made read-only, its sessions ended (inside the freeze
 *       transaction);</li>
 *   <li>flip the router to green, commit green, commit blue (locks released), resume the router.</li>
 * </ol>
 * Any failure or an exceeded budget before the flip aborts: green rolled back, the freeze transaction
 * rolled back (blue as before), router resumed on blue, and the report says why. The freeze window is
 * measured from the router pause (or the first lock) to the resume, in ms.
 *
 * <p>One run per instance; not thread-safe.
 */
public final class CutoverCoordinator {

    private static final Logger LOG = LoggerFactory.getLogger(CutoverCoordinator.class);
    private static final Duration TERMINATE_WAIT = Duration.ofMillis(200);

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
    private final List<CutoverStep> steps = new ArrayList<>();
    private final List<GreenSwitch.SequenceMove> sequences = new ArrayList<>();
    private CutoverStore store;

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
            Instant t = clock.instant();
            long n0 = System.nanoTime();
            if (!s.tryLock()) {
                throw new BluegreenException(ErrorCode.CUTOVER_REFUSED, "another cutover coordinator of pipeline "
                        + config.name() + " is running (it holds the advisory lock in green); wait for it to end, or"
                        + " see bluegreen status");
            }
            int abandoned = s.closeAbandonedRuns();
            long id = s.begin(dryRun);
            record(new CutoverStep("precheck.coordinator-lock", t, ms(n0), "ok", "advisory lock held in green"
                    + (abandoned > 0 ? "; " + abandoned + " earlier run(s) that never ended marked failed" : "")));
            List<String> problems = prechecks();
            if (!problems.isEmpty()) {
                String message = "pre-checks failed, nothing was changed: " + String.join("; ", problems);
                CutoverReport r = report(id, dryRun, dryRun ? "planned" : "aborted", message, null, null);
                s.finish(r.outcome(), null, null, message, r.toJson());
                if (dryRun) {
                    return r;
                }
                throw new BluegreenException(ErrorCode.CUTOVER_REFUSED, message);
            }
            if (dryRun) {
                plan();
                CutoverReport r = report(id, true, "planned", "dry run: every pre-check passed; nothing was changed",
                        null, null);
                s.finish("planned", null, null, r.message(), r.toJson());
                return r;
            }
            return cutover(id);
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.GREEN_UNAVAILABLE, "the cutover coordinator could not use green's"
                    + " control schema: " + e.getMessage() + "; run the pipeline once (bluegreen run) so it exists", e);
        } finally {
            router.close();
        }
    }

    private CutoverReport cutover(long id) throws SQLException {
        if (finalCheck != null) {
            String[] detail = new String[1];
            if (!step("final-check.before-freeze", () -> detail[0] = finalCheck.beforeFreeze(cutover.finalCheckBudget()))) {
                return abort(id, null, null, "the final check before the freeze failed: " + last().detail(), null);
            }
        } else {
            record(new CutoverStep("final-check", clock.instant(), 0, "skipped", "--skip-final-verify"));
        }
        store.phase("freeze");
        List<TableId> blueTables = tables.stream().map(CutoverTable::blue).distinct().toList();
        long freezeStart = System.nanoTime();
        BlueFreeze.Fence[] fence = new BlueFreeze.Fence[1];
        try (BlueFreeze freeze = new BlueFreeze(blue.getConnection(), blue.getConnection());
             Connection greenTx = green.getConnection()) {
            greenTx.setAutoCommit(false);
            if (cutover.freeze() == CutoverConfig.Freeze.ROUTER_PAUSE
                    && !step("freeze.router-pause", () -> {
                        router.pause(remaining(freezeStart));
                        return router.describe() + " paused; running transactions ended";
                    })) {
                return abort(id, freeze, greenTx, "the router could not pause: " + last().detail(), freezeStart);
            }
            if (!step("freeze.lock", () -> {
                int attempts = freeze.lock(blueTables, min(cutover.lockTimeout(), remaining(freezeStart)));
                return "EXCLUSIVE locks on " + blueTables.size() + " blue table(s)"
                        + (attempts > 1 ? " (" + attempts + " attempts: deadlocks with application transactions)" : "");
            })) {
                return abort(id, freeze, greenTx, "blue tables could not be locked within "
                        + cutover.lockTimeout().toMillis() + " ms (cutover.lock-timeout-ms): " + last().detail(), freezeStart);
            }
            if (!step("hook.after-freeze", () -> {
                hooks.afterFreeze();
                return "after-freeze hook returned";
            })) {
                return abort(id, freeze, greenTx, "the after-freeze hook failed: " + last().detail(), freezeStart);
            }
            if (!step("fence", () -> {
                fence[0] = freeze.fence(config.name());
                return "heartbeat " + fence[0].beats() + " at blue LSN " + fence[0].lsn();
            })) {
                return abort(id, freeze, greenTx, "the fence could not be written: " + last().detail(), freezeStart);
            }
            store.phase("drain");
            Duration drainBudget = min(cutover.drainTimeout(), remaining(freezeStart));
            AppliedWatermark watermark = new AppliedWatermark(green, config);
            if (!step("drain", () -> {
                if (!watermark.awaitBeats(fence[0].beats(), drainBudget)) {
                    Optional<Markers.Watermark> w = watermark.applied();
                    throw new IllegalStateException("the sink did not apply the fence (heartbeat " + fence[0].beats()
                            + ") within " + drainBudget.toMillis() + " ms; applied in every partition: "
                            + w.map(x -> "heartbeat " + x.beats()).orElse("nothing yet")
                            + ". Is the pipeline running (bluegreen status)? Raise cutover.drain-timeout-ms if the lag is"
                            + " just high");
                }
                return "fence applied in every partition of " + config.tableTopics().size() + " topic(s)";
            })) {
                return abort(id, freeze, greenTx, last().detail(), freezeStart, fence[0]);
            }
            if (finalCheck != null) {
                store.phase("final-check");
                if (!step("final-check.inside-freeze", () -> finalCheck.insideFreeze(min(cutover.finalCheckBudget(),
                        remaining(freezeStart))))) {
                    return abort(id, freeze, greenTx, "the final check failed: " + last().detail(), freezeStart, fence[0]);
                }
            }
            store.phase("flip");
            if (!step("green.sequences-and-grants", () -> {
                try (Connection b = blue.getConnection()) {
                    sequences.addAll(GreenSwitch.moveSequences(greenTx, b, tables, cutover.sequenceGap()));
                }
                GreenSwitch.grantWrites(greenTx, cutover.applicationRole(), tables, sequences);
                return sequences.size() + " sequence(s) set past blue + " + cutover.sequenceGap() + "; writes granted to "
                        + cutover.applicationRole() + " (uncommitted until the flip)";
            })) {
                return abort(id, freeze, greenTx, "preparing green failed: " + last().detail(), freezeStart, fence[0]);
            }
            int[] ended = new int[1];
            if (!step("blue.read-only", () -> {
                ended[0] = freeze.makeReadOnlyAndEndSessions(cutover.applicationRole(), blueTables, TERMINATE_WAIT);
                return "writes revoked from " + cutover.applicationRole() + ", new sessions read-only, " + ended[0]
                        + " session(s) ended (effective at release)";
            })) {
                return abort(id, freeze, greenTx, "making blue read-only failed: " + last().detail(), freezeStart, fence[0]);
            }
            if (System.nanoTime() - freezeStart > cutover.maxFreeze().toNanos()) {
                return abort(id, freeze, greenTx, String.format(java.util.Locale.ROOT, "the freeze reached %.1f ms before"
                        + " the flip, over max-freeze-ms %d", ms(freezeStart), cutover.maxFreeze().toMillis()),
                        freezeStart, fence[0]);
            }
            if (!step("flip", () -> {
                router.flip("green", config.green());
                return router.describe() + " -> green " + config.green().host() + ":" + config.green().port() + "/"
                        + config.green().database();
            })) {
                return abort(id, freeze, greenTx, "the router did not flip: " + last().detail(), freezeStart, fence[0]);
            }
            if (!step("release", () -> {
                greenTx.commit();
                freeze.release();
                router.resume();
                return "green committed, blue locks released (blue read-only for " + cutover.applicationRole()
                        + "), router resumed";
            })) {
                undoFlip();
                return abort(id, freeze, greenTx, "releasing failed after the flip; the flip was undone: "
                        + last().detail(), freezeStart, fence[0]);
            }
            double freezeMs = ms(freezeStart);
            CutoverReport r = report(id, false, "flipped", String.format(java.util.Locale.ROOT,
                    "the application now uses green; freeze window %.1f ms", freezeMs), freezeMs, fence[0]);
            store.finish("flipped", freezeMs, fence[0], r.message(), r.toJson());
            LOG.info("{} - cutover done: {}", config.name(), r.message());
            return r;
        }
    }

    private CutoverReport abort(long id, BlueFreeze freeze, Connection greenTx, String why, Long freezeStart)
            throws SQLException {
        return abort(id, freeze, greenTx, why, freezeStart, null);
    }

    private CutoverReport abort(long id, BlueFreeze freeze, Connection greenTx, String why, Long freezeStart,
                                BlueFreeze.Fence fence) throws SQLException {
        Instant t = clock.instant();
        long n0 = System.nanoTime();
        if (greenTx != null) {
            try {
                greenTx.rollback();
            } catch (SQLException e) {
                LOG.warn("rolling back green failed: {}", e.getMessage());
            }
        }
        if (freeze != null) {
            freeze.rollback();
        }
        router.resume();
        Double freezeMs = freezeStart == null ? null : ms(freezeStart);
        record(new CutoverStep("abort", t, ms(n0), "ok", "freeze released, application stays on blue"));
        String message = "cutover aborted, the application stays on blue: " + why;
        LOG.warn("{} - {}", config.name(), message);
        CutoverReport r = report(id, false, "aborted", message, freezeMs, fence);
        store.finish("aborted", freezeMs, fence, message, r.toJson());
        return r;
    }

    private void undoFlip() {
        try {
            if (router instanceof PgBouncerRouter p) {
                p.undoFlip();
            } else {
                router.flip("blue", config.blue());
            }
        } catch (RuntimeException e) {
            LOG.error("{} - undoing the flip failed: {}; point the application back at blue by hand", config.name(),
                    e.getMessage());
        }
    }

    private List<String> prechecks() throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Connection g = green.getConnection(); Connection b = blue.getConnection()) {
            check(problems, "precheck.pipeline-running", () -> {
                try (PreparedStatement ps = g.prepareStatement(
                        "SELECT state, updated_at FROM bluegreen.pipeline_state WHERE pipeline = ?")) {
                    ps.setString(1, config.name());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next() || !"running".equals(rs.getString(1))) {
                            throw new IllegalStateException("pipeline " + config.name() + " is not running (state "
                                    + (rs.getRow() == 0 ? "unknown" : rs.getString(1)) + "); start it with bluegreen run");
                        }
                        return "pipeline state running since " + rs.getTimestamp(2).toInstant();
                    }
                }
            });
            check(problems, "precheck.lag", () -> {
                Optional<Markers.Watermark> w = new AppliedWatermark(green, config).applied(g);
                if (w.isEmpty()) {
                    throw new IllegalStateException("no watermark applied in every partition yet: the sink has not"
                            + " caught up with streaming; wait for the snapshot to finish");
                }
                long lag = blueClockMs(b) - w.get().blueCommitMs();
                if (lag > cutover.maxLag().toMillis()) {
                    throw new IllegalStateException("lag " + lag + " ms is over cutover.max-lag-ms "
                            + cutover.maxLag().toMillis() + "; wait for the sink to catch up");
                }
                return "lag " + Math.max(0, lag) + " ms (heartbeat " + w.get().beats() + " applied everywhere)";
            });
            check(problems, "precheck.parity", () -> {
                Optional<ParityRunStore.LatestRun> p = ParityRunStore.latest(g, config.name());
                if (p.isEmpty()) {
                    throw new IllegalStateException("no parity run recorded; run bluegreen verify first");
                }
                ParityRunStore.LatestRun run = p.get();
                Duration age = Duration.between(run.finishedAt(), clock.instant());
                if (!"parity".equals(run.result()) || !run.complete()) {
                    throw new IllegalStateException("the last verify (" + run.finishedAt() + ") was " + run.result()
                            + (run.complete() ? "" : " on a subset of tables") + "; run a complete bluegreen verify");
                }
                if (age.compareTo(cutover.parityMaxAge()) > 0) {
                    throw new IllegalStateException("the last parity pass is " + age.toMinutes() + " min old, over"
                            + " cutover.parity-max-age-minutes " + cutover.parityMaxAge().toMinutes()
                            + "; run bluegreen verify again");
                }
                return "parity pass at " + run.finishedAt() + " (" + age.toSeconds() + " s ago)";
            });
            check(problems, "precheck.roles", () -> roles(b, g));
            check(problems, "precheck.green-not-writable", () -> {
                List<String> writable = GreenSwitch.writableBy(g, cutover.applicationRole(), tables);
                if (!writable.isEmpty()) {
                    throw new IllegalStateException("the application role " + cutover.applicationRole()
                            + " can already write green " + writable + "; revoke INSERT, UPDATE, DELETE, TRUNCATE"
                            + " (the coordinator grants them at the flip)");
                }
                return "the application role cannot write the " + tables.size() + " green target(s)";
            });
            check(problems, "precheck.heartbeat", () -> {
                try (PreparedStatement ps = b.prepareStatement("SELECT beats FROM bluegreen.heartbeat WHERE pipeline = ?")) {
                    ps.setString(1, config.name());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new IllegalStateException("blue has no heartbeat row for " + config.name()
                                    + "; the fence needs it: run the pipeline");
                        }
                        return "heartbeat row at " + rs.getLong(1) + " beats";
                    }
                }
            });
            check(problems, "precheck.router", router::check);
        }
        return problems;
    }

    private String roles(Connection b, Connection g) throws SQLException {
        String role = cutover.applicationRole();
        if (role.equals(config.blue().user()) || role.equals(config.green().user())) {
            throw new IllegalStateException("cutover.application-role " + role + " is the pipeline's own database"
                    + " user; the application must use a role of its own (it is made read-only on blue)");
        }
        for (Connection c : List.of(b, g)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
                ps.setString(1, role);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("role " + role + " (cutover.application-role) does not exist on "
                                + (c == b ? "blue" : "green"));
                    }
                }
            }
        }
        try (ResultSet rs = b.createStatement().executeQuery("SELECT rolsuper, rolcreaterole,"
                + " pg_has_role(current_user, 'pg_signal_backend', 'MEMBER') FROM pg_roles WHERE rolname = current_user")) {
            rs.next();
            if (!rs.getBoolean(1) && !(rs.getBoolean(2) && rs.getBoolean(3))) {
                throw new IllegalStateException("blue user " + config.blue().user() + " needs CREATEROLE and membership"
                        + " in pg_signal_backend (or superuser) to make the application read-only and end its sessions");
            }
        }
        return "application role " + role + " exists on both; the coordinator may revoke, alter the role and end sessions";
    }

    private void plan() {
        List<String> planned = new ArrayList<>();
        planned.add(finalCheck == null ? "final check: skipped" : "final check of rows changed since the parity pass"
                + " (budget " + cutover.finalCheckBudget().toMillis() + " ms)");
        if (cutover.freeze() == CutoverConfig.Freeze.ROUTER_PAUSE) {
            planned.add("pause " + router.describe());
        }
        planned.add("lock " + tables.stream().map(CutoverTable::blue).distinct().count() + " blue table(s) IN EXCLUSIVE MODE"
                + " (lock timeout " + cutover.lockTimeout().toMillis() + " ms)");
        planned.add("write the fence on blue bluegreen.heartbeat; wait up to " + cutover.drainTimeout().toMillis()
                + " ms for the sink to apply it");
        try (Connection g = green.getConnection()) {
            planned.add("set green sequences past blue + " + cutover.sequenceGap() + ": "
                    + GreenSwitch.describeSequences(g, tables));
        } catch (SQLException e) {
            planned.add("set green sequences (could not list them: " + e.getMessage() + ")");
        }
        planned.add("grant writes on green to " + cutover.applicationRole() + "; revoke them on blue, end its sessions");
        planned.add("flip " + router.describe() + " to green; release; freeze budget " + cutover.maxFreeze().toMillis()
                + " ms");
        for (String p : planned) {
            record(new CutoverStep("plan", clock.instant(), 0, "planned", p));
        }
    }

    /** A step body; returns its detail. */
    private interface Body {
        String run() throws Exception;
    }

    private boolean step(String name, Body body) {
        Instant t = clock.instant();
        long n0 = System.nanoTime();
        try {
            String detail = body.run();
            record(new CutoverStep(name, t, ms(n0), "ok", detail));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            record(new CutoverStep(name, t, ms(n0), "failed", "interrupted"));
            return false;
        } catch (Exception e) {
            LOG.debug("step {} failed", name, e);
            record(new CutoverStep(name, t, ms(n0), "failed", message(e)));
            return false;
        }
    }

    private void check(List<String> problems, String name, Body body) {
        if (!step(name, body)) {
            problems.add(name.substring(name.indexOf('.') + 1) + ": " + last().detail());
        }
    }

    private void record(CutoverStep s) {
        steps.add(s);
        try {
            store.step(steps.size(), s);
        } catch (SQLException e) {
            LOG.warn("recording step {} in green failed: {}", s.name(), e.getMessage());
        }
        listener.step(s);
    }

    private CutoverStep last() {
        return steps.get(steps.size() - 1);
    }

    private CutoverReport report(long id, boolean dryRun, String outcome, String message, Double freezeMs,
                                 BlueFreeze.Fence fence) {
        return new CutoverReport(config.name(), id, dryRun, outcome, message, router.describe(),
                cutover.freeze().configName(), freezeMs, fence, sequences, steps);
    }

    private Duration remaining(long freezeStart) {
        long left = cutover.maxFreeze().toNanos() - (System.nanoTime() - freezeStart);
        return Duration.ofNanos(Math.max(1_000_000, left));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static double ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    private static long blueClockMs(Connection b) throws SQLException {
        try (ResultSet rs = b.createStatement().executeQuery(
                "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String message(Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof SQLException s && s.getSQLState() != null) {
            m += " (SQLState " + s.getSQLState() + ")";
        }
        return m;
    }
}
