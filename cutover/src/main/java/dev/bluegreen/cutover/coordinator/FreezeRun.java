package dev.bluegreen.cutover.coordinator;

import dev.bluegreen.core.config.CutoverConfig;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.control.AppliedWatermark;
import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.event.Markers;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.cutover.router.Router;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steps 2 to 7 of the cutover protocol, as a script of named steps, from the freeze to the release:
 * <ol>
 *   <li>{@code green.sequence-plan}, before the freeze: the catalog lookups of green's step (which sequences to move,
 *       where blue's key values come from), so that inside the freeze only values are read and set;</li>
 *   <li>{@code catch-up}, before the freeze: a heartbeat on blue, waited for until the sink applied it; then
 *       {@code final-check.before-freeze} (unless skipped), live, its last pass right before the freeze;</li>
 *   <li>{@code freeze.router-pause} (strategy {@code router-pause}), then {@code freeze.lock}: the
 *       coordinator's own blue session locks the captured tables;</li>
 *   <li>{@code fence}: one heartbeat on blue; then, at once (their records come in the order they end):
 *     <ul>
 *       <li>{@code blue.read-only}, on the freeze session, inside the freeze transaction (effective when it
 *           commits): write triggers that refuse every write to the captured tables, writes revoked from the
 *           application role, its new sessions in this database read-only (its sessions are ended at the
 *           release);</li>
 *       <li>{@code drain}: until every partition applied the fence; after it, beside each other:
 *           {@code final-check.inside-freeze} (unless skipped) and {@code green.sequences-and-grants},
 *           committed at once: sequences past blue's values plus the gap, writes granted to the application
 *           role. Green is writable from here, but nothing routes there yet;</li>
 *     </ul>
 *     (S5 benchmark: run one after the other, these steps made about 150 of the 219 ms median window);</li>
 *   <li>{@code flip}: first the lock sessions are proven alive ({@link BlueFreeze#verifyHeld}; a session the server
 *       ended has let its locks go: abort), then the router points at green. The point of no return: from here on
 *       the run rolls forward, since the application may write to green;</li>
 *   <li>{@code release}: the router resumes, on green: the freeze window ends here. Then, blue's tables still
 *       locked, {@code blue.end-sessions} ends the application role's blue sessions (writers queued behind the
 *       locks included) and {@code blue.commit} commits the freeze transaction (locks released, blue
 *       read-only).</li>
 * </ol>
 * A MariaDB blue ({@link MariaDbFreeze}) differs in one place: its read-only switch (REVOKE) takes effect at once
 * and cannot be rolled back, so {@code blue.read-only} runs after the release, before {@code blue.end-sessions},
 * and {@code blue.unlock} takes the place of {@code blue.commit}; an abort before the flip only unlocks.
 * Before the flip, any failure, an exceeded budget or a hook error aborts: green's grants are revoked
 * again, the freeze transaction rolls back (blue as before), the router resumes on blue. Green's sequences
 * stay moved ({@code setval} is not transactional; they only ever move forward, which is harmless). The
 * router is resumed on every path, also when recording in green fails. Not thread-safe; one run.
 */
final class FreezeRun {

    private static final Logger LOG = LoggerFactory.getLogger(FreezeRun.class);
    private static final Duration TERMINATE_WAIT = Duration.ofMillis(200);
    /** Longest wait for the sink to catch up with blue right before the freeze. */
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(30);
    /**
     * How often the drain reads green's watermark: every 2 ms, against the 10 ms of other waits. The fence takes
     * 20-40 ms to reach green under the S5 load; a 10 ms poll added 5 ms on average to the freeze window.
     */
    private static final Duration DRAIN_POLL = Duration.ofMillis(2);

    /** How the freeze ended; {@code freezeMs} is null when it ended before freezing. */
    record Outcome(boolean flipped, String message, Double freezeMs, BlueFreeze.Fence fence,
                   List<GreenSwitch.SequenceMove> sequences) {
    }

    private final PipelineConfig config;
    private final CutoverConfig cutover;
    private final DataSource blue;
    private final DataSource green;
    private final Router router;
    private final List<CutoverTable> tables;
    private final List<TableId> blueTables;
    private final CutoverCoordinator.FinalCheck finalCheck;
    private final CutoverHooks hooks;
    private final StepLog log;
    private final CutoverStore store;
    private final List<GreenSwitch.SequenceMove> sequences = new ArrayList<>();
    private long freezeStart;
    private JvmCost freezeStartCost;
    /** From the freeze's first step to the router's resume, ms. */
    private double windowMs;
    private BlueFreeze.Fence fence;
    private volatile boolean greenOpened; // set beside, read after the join
    private Connection greenSide;
    private Connection blueSide;
    /** Green's sequences and blue's key sources, looked up before the freeze. */
    private List<GreenSwitch.TablePlan> sequencePlan;

    FreezeRun(PipelineConfig config, CutoverConfig cutover, DataSource blue, DataSource green, Router router,
              List<CutoverTable> tables, CutoverCoordinator.FinalCheck finalCheck, CutoverHooks hooks, StepLog log,
              CutoverStore store) {
        this.config = config;
        this.cutover = cutover;
        this.blue = blue;
        this.green = green;
        this.router = router;
        this.tables = tables;
        this.blueTables = tables.stream().map(CutoverTable::blue).distinct().toList();
        this.finalCheck = finalCheck;
        this.hooks = hooks;
        this.log = log;
        this.store = store;
    }

    /**
     * The blue sessions of the freeze, all opened before it starts (a new connection costs 10-20 ms): PostgreSQL
     * takes a lock session and a second session from the pool; MariaDB a session of its own per captured table
     * (see {@link MariaDbFreeze}), opened outside the pool, and a pool session.
     */
    private BlueFreeze openFreeze() throws SQLException {
        if (Engine.of(config.blue()) != Engine.MARIADB) {
            Connection lockSession = blue.getConnection();
            try {
                return new PostgresFreeze(lockSession, blue.getConnection());
            } catch (SQLException | RuntimeException e) {
                try {
                    lockSession.close();
                } catch (SQLException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
        }
        List<Connection> sessions = new ArrayList<>();
        Properties login = new Properties();
        login.setProperty("user", config.blue().user());
        login.setProperty("password", config.blue().password());
        login.setProperty("connectTimeout", "10000"); // ms, as the pools' connection timeout
        Connection admin = null;
        try {
            for (int i = 0; i < blueTables.size(); i++) {
                sessions.add(DriverManager.getConnection(config.blue().jdbcUrl(), login));
            }
            admin = blue.getConnection();
            return new MariaDbFreeze(sessions, admin);
        } catch (SQLException | RuntimeException e) {
            int opened = sessions.size();
            if (admin != null) {
                sessions.add(admin);
            }
            for (Connection c : sessions) {
                try {
                    c.close();
                } catch (SQLException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw new SQLException("opening " + blueTables.size() + " lock session(s) on blue failed after "
                    + opened + ": " + e.getMessage() + " (the freeze holds one session per captured table;"
                    + " check blue's max_connections and max_user_connections)", e instanceof SQLException s
                    ? s.getSQLState() : null, e);
        }
    }

    /** Runs the freeze; see the class comment. */
    Outcome run() throws SQLException {
        phase("freeze");
        boolean resumed = false;
        ExecutorService beside = null;
        // every connection the freeze needs is taken before it starts: a new pool connection costs 10-20 ms
        try (BlueFreeze freeze = openFreeze(); Connection greenTx = green.getConnection();
             Connection blueRead = blue.getConnection()) {
            beside = FreezeThreads.started(2, "bluegreen-cutover-beside-%d");
            greenSide = greenTx;
            blueSide = blueRead;
            // the catalog lookups of green's step, outside the freeze
            if (!log.step("green.sequence-plan", () -> {
                sequencePlan = GreenSwitch.plan(greenTx, blueRead, Engine.of(config.blue()), tables);
                int moving = sequencePlan.stream().mapToInt(p -> p.greenSequences().size()).sum();
                return moving + " green sequence(s) to set inside the freeze, past blue's key values";
            })) {
                return new Outcome(false, "cutover aborted before the freeze, the application stays on blue: green's"
                        + " sequences could not be listed: " + log.last().detail(), null, null, sequences);
            }
            if (!log.step("catch-up", () -> catchUp(freeze))) {
                return new Outcome(false, "cutover aborted, the application stays on blue: the sink did not catch up"
                        + " before the freeze: " + log.last().detail(), null, null, sequences);
            }
            // after the catch-up, right before the freeze: what changed while the sink caught up is then checked
            // here, live, instead of inside the freeze
            if (finalCheck != null && !log.step("final-check.before-freeze",
                    () -> finalCheck.beforeFreeze(cutover.finalCheckBudget()))) {
                return new Outcome(false, "cutover aborted, the application stays on blue: the final check before the"
                        + " freeze failed: " + log.last().detail(), null, null, sequences);
            }
            log.holdRecords(true);
            freezeStartCost = JvmCost.now();
            freezeStart = System.nanoTime();
            String failure = freezeDrainCheck(freeze, beside);
            if (failure != null) {
                return abort(freeze, failure);
            }
            phase("flip");
            if (!log.step("flip", () -> {
                try {
                    freeze.verifyHeld(); // the last moment an abort still keeps the application on blue
                } catch (SQLException e) {
                    throw new SQLException("blue's freeze session was lost before the flip (" + StepLog.message(e)
                            + "), so its locks no longer hold blue's writes; nothing was flipped", e.getSQLState(), e);
                }
                router.flip("green", config.green());
                return router.describe() + " -> green " + config.green().host() + ":" + config.green().port() + "/"
                        + config.green().database();
            })) {
                return abort(freeze, "the router did not flip: " + log.last().detail());
            }
            // point of no return: the application may write to green from here; roll forward
            String warning = release(freeze);
            resumed = true;
            // with the router paused, writers wait in the router until the resume; with only the locks, writers
            // queued on blue wait until their session ends and the locks go
            double freezeMs = cutover.freeze() == CutoverConfig.Freeze.ROUTER_PAUSE ? windowMs : StepLog.ms(freezeStart);
            String message = String.format(Locale.ROOT, "the application now uses green; freeze window %.1f ms%s",
                    freezeMs, warning == null ? "" : "; WARNING: " + warning);
            return new Outcome(true, message, freezeMs, fence, sequences);
        } finally {
            if (!resumed) {
                router.resume(); // idempotent; a pause must never outlive the run
            }
            if (beside != null) {
                beside.shutdownNow();
            }
            log.holdRecords(false);
        }
    }

    /**
     * Pause, locks, hook, fence, then three things at once: blue's read-only switch on the freeze session, the
     * drain, and (once drained) the final check beside green's sequences and grants. Returns why it failed, or
     * null. Every step started here has ended when it returns, whatever failed: the abort then owns every session.
     */
    private String freezeDrainCheck(BlueFreeze freeze, ExecutorService beside) {
        if (cutover.freeze() == CutoverConfig.Freeze.ROUTER_PAUSE && !log.step("freeze.router-pause", () -> {
            router.pause(remaining());
            return router.describe() + " paused; running transactions ended";
        })) {
            return "the router could not pause: " + log.last().detail();
        }
        if (!log.step("freeze.lock", () -> {
            int attempts = freeze.lock(blueTables, min(cutover.lockTimeout(), remaining()), cutover.maxFreeze());
            return freeze.lockMode() + " locks on " + blueTables.size() + " blue table(s)"
                    + (attempts > 1 ? " (" + attempts + " attempts: deadlocks with application transactions)" : "");
        })) {
            return "blue tables could not be locked within " + cutover.lockTimeout().toMillis()
                    + " ms (cutover.lock-timeout-ms): " + log.last().detail();
        }
        if (!log.step("hook.after-freeze", () -> {
            hooks.afterFreeze();
            return "after-freeze hook returned";
        })) {
            return "the after-freeze hook failed: " + log.last().detail();
        }
        if (!log.step("fence", () -> {
            fence = freeze.fence(config.name());
            return "heartbeat " + fence.beats() + " at blue " + fence.position();
        })) {
            return "the fence could not be written: " + log.last().detail();
        }
        // PostgreSQL: the freeze session is idle while the sink drains, blue's read-only switch runs there meanwhile
        // (uncommitted until the release, so an abort still rolls it back). MariaDB: it cannot be rolled back, so it
        // waits for the flip (see release)
        Future<CutoverStep> readOnly = freeze.readOnlyInsideFreeze() ? beside.submit(() -> log.run("blue.read-only",
                () -> freeze.makeReadOnly(config.name(), cutover.applicationRole(), blueTables))) : null;
        String failure = drainAndCheck(beside);
        CutoverStep ro = readOnly == null ? null : await("blue.read-only", readOnly);
        if (failure != null) {
            return failure;
        }
        if (ro != null && !ro.ok()) {
            return "making blue read-only failed: " + ro.detail();
        }
        if (System.nanoTime() - freezeStart > cutover.maxFreeze().toNanos()) {
            return String.format(Locale.ROOT, "the freeze reached %.1f ms before the flip, over max-freeze-ms %d",
                    StepLog.ms(freezeStart), cutover.maxFreeze().toMillis());
        }
        return null;
    }

    /**
     * The drain, then the final check beside green's sequences and grants: both need the fence applied
     * (green's key columns hold every value blue committed), neither needs the other. Returns why it failed, or null.
     */
    private String drainAndCheck(ExecutorService beside) {
        CutoverStep drained = log.run("drain", this::drain);
        if (!drained.ok()) {
            return drained.detail();
        }
        Future<CutoverStep> opened = beside.submit(() -> log.run("green.sequences-and-grants", this::openGreen));
        CutoverStep checked = finalCheck == null ? null : log.run("final-check.inside-freeze",
                () -> finalCheck.insideFreeze(min(cutover.finalCheckBudget(), remaining())));
        CutoverStep green = await("green.sequences-and-grants", opened);
        if (checked != null && !checked.ok()) {
            return "the final check failed: " + checked.detail();
        }
        if (!green.ok()) {
            return "preparing green failed: " + green.detail();
        }
        return null;
    }

    /** Waits for a step running beside; an interrupt or an escaped error counts as its failure. */
    private CutoverStep await(String name, Future<CutoverStep> step) {
        try {
            return step.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            try {
                return step.get(); // it must end before the abort uses its sessions; its statements are bounded
            } catch (InterruptedException | ExecutionException again) {
                return new CutoverStep(name, java.time.Instant.now(), 0, "failed", "interrupted");
            }
        } catch (ExecutionException e) {
            return new CutoverStep(name, java.time.Instant.now(), 0, "failed", String.valueOf(e.getCause()));
        }
    }

    /**
     * Before the freeze, as gh-ost waits for its changelog before locking: one heartbeat on blue, waited for
     * until the sink applied it everywhere, so the drain inside the freeze only has the last moments to apply
     * (a sink seconds behind would otherwise spend them inside the freeze, or time out there).
     */
    private String catchUp(BlueFreeze freeze) throws SQLException, InterruptedException {
        long t0 = System.nanoTime();
        BlueFreeze.Fence probe = freeze.fence(config.name());
        if (!new AppliedWatermark(green, config).awaitBeats(probe.beats(), CATCH_UP_TIMEOUT)) {
            throw new IllegalStateException("heartbeat " + probe.beats() + " was not applied in every partition within "
                    + CATCH_UP_TIMEOUT.toSeconds() + " s; is the pipeline keeping up (bluegreen status)?");
        }
        return String.format(Locale.ROOT, "the sink applied heartbeat %d %.1f ms after it was written", probe.beats(),
                StepLog.ms(t0));
    }

    private String drain() throws SQLException, InterruptedException {
        Duration budget = min(cutover.drainTimeout(), remaining());
        AppliedWatermark watermark = new AppliedWatermark(green, config);
        if (!watermark.awaitBeats(fence.beats(), budget, DRAIN_POLL)) {
            Optional<Markers.Watermark> w = watermark.applied();
            throw new IllegalStateException("the sink did not apply the fence (heartbeat " + fence.beats() + ") within "
                    + budget.toMillis() + " ms; applied in every partition: " + w.map(x -> "heartbeat " + x.beats())
                    .orElse("nothing yet") + ". Is the pipeline running (bluegreen status)? Raise"
                    + " cutover.drain-timeout-ms if the lag is just high");
        }
        return "fence applied in every partition of " + config.tableTopics().size() + " topic(s)";
    }

    private String openGreen() throws SQLException {
        Connection g = greenSide;
        g.setAutoCommit(false);
        try {
            sequences.addAll(GreenSwitch.moveSequences(g, blueSide, Engine.of(config.blue()), sequencePlan,
                    cutover.sequenceGap()));
            GreenSwitch.grantWrites(g, cutover.applicationRole(), tables, sequences);
            g.commit();
        } catch (SQLException | RuntimeException e) {
            g.rollback();
            throw e;
        } finally {
            g.setAutoCommit(true);
        }
        greenOpened = true;
        return sequences.size() + " sequence(s) set past blue + " + cutover.sequenceGap() + "; writes granted to "
                + cutover.applicationRole() + " (nothing routes to green before the flip)";
    }

    /**
     * After the flip: the router resumes (the application's writes go on, to green: the end of the freeze window)
     * and the phase {@code released} is recorded; then, with blue's tables still locked, the lock sessions are proven
     * alive again, a MariaDB blue is made read-only, the application's blue sessions are ended and blue's freeze
     * transaction commits (locks released, blue read-only). Never throws: it rolls forward. Returns a warning when
     * the locks were lost during the flip or blue could not be made read-only, else null.
     */
    private String release(BlueFreeze freeze) {
        log.step("release", () -> {
            router.resume();
            windowMs = StepLog.ms(freezeStart);
            return "router resumed on green; in the window, " + freezeStartCost.since().describe();
        });
        phase("released"); // status: the application uses green from here, whatever blue's steps below do
        List<String> warnings = new ArrayList<>();
        try {
            freeze.verifyHeld();
        } catch (SQLException | RuntimeException e) {
            // the flip outlasted the lock sessions' idle limit, or they were ended: blue was writable meanwhile
            warn(warnings, "blue's freeze session was lost during the flip (" + StepLog.message(e) + "): the"
                    + " application may have written blue after the fence, and the pipeline carries such writes into"
                    + " green over its newer rows there; stop the pipeline (bluegreen run) and compare with bluegreen"
                    + " verify");
        }
        if (!freeze.readOnlyInsideFreeze() && !log.step("blue.read-only", () -> freeze.makeReadOnly(config.name(),
                cutover.applicationRole(), blueTables))) {
            warn(warnings, "blue could not be made read-only for " + cutover.applicationRole() + " ("
                    + log.last().detail() + "); the application points at green. Revoke its writes on blue by hand");
        }
        log.step("blue.end-sessions", () -> {
            int ended = freeze.endSessions(cutover.applicationRole(), TERMINATE_WAIT);
            return ended + " session(s) of " + cutover.applicationRole() + " on blue ended (writers queued behind the"
                    + " locks included)";
        });
        log.step(freeze.readOnlyInsideFreeze() ? "blue.commit" : "blue.unlock", () -> {
            try {
                freeze.release();
            } catch (SQLException e) {
                if (!freeze.readOnlyInsideFreeze()) {
                    // the lock sessions were closed, which releases their locks; the revokes are already in force
                    return "UNLOCK TABLES failed (" + StepLog.message(e) + "); the lock sessions were closed instead";
                }
                return warn(warnings, "blue's freeze transaction did not commit (" + StepLog.message(e) + "): its"
                        + " locks are gone but blue is NOT read-only; the application points at green. Revoke the"
                        + " application's writes on blue by hand");
            }
            return warnings.isEmpty() ? "locks released, blue read-only for " + cutover.applicationRole()
                    : String.join("; ", warnings);
        });
        return warnings.isEmpty() ? null : String.join("; ", warnings);
    }

    /** Logs a warning of the roll-forward and adds it to {@code warnings}; returns it. */
    private String warn(List<String> warnings, String warning) {
        warnings.add(warning);
        LOG.error("{} - {}", config.name(), warning);
        return warning;
    }

    private Outcome abort(BlueFreeze freeze, String why) {
        long n0 = System.nanoTime();
        java.time.Instant t = java.time.Instant.now();
        freeze.rollback();
        if (greenOpened) {
            try {
                GreenSwitch.revokeWrites(greenSide, cutover.applicationRole(), tables, sequences);
            } catch (SQLException e) {
                LOG.error("{} - revoking the application's writes on green again failed: {}; revoke them by hand",
                        config.name(), e.getMessage());
            }
        }
        router.resume();
        double freezeMs = StepLog.ms(freezeStart);
        log.record(new CutoverStep("abort", t, StepLog.ms(n0), "ok", "freeze released"
                + (greenOpened ? ", green's grants revoked again" : "") + ", application stays on blue"));
        return new Outcome(false, "cutover aborted, the application stays on blue: " + why, freezeMs, fence, sequences);
    }

    private void phase(String phase) {
        try {
            store.phase(phase);
        } catch (SQLException e) {
            LOG.warn("{} - recording phase {} in green failed: {}", config.name(), phase, e.getMessage());
        }
    }

    private Duration remaining() {
        long left = cutover.maxFreeze().toNanos() - (System.nanoTime() - freezeStart);
        return Duration.ofNanos(Math.max(1_000_000, left));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
