package dev.bluegreen.cutover.coordinator;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of one cutover run, in order: each is timed, shown to the listener at once and recorded in
 * green ({@code bluegreen.cutover_step}). Inside the freeze both are held back until the release
 * ({@link #holdRecords}): each insert in green costs milliseconds of freeze, and so did each console line of
 * the CLI's listener (2-5 ms between two steps in the S5 benchmark: formatting and flushing in a fresh JVM), so
 * the freeze's lines appear together after the release, at most {@code cutover.max-freeze-ms} late. A record that
 * cannot be written is logged and never fails the run. Thread-safe: steps that run beside each other
 * inside the freeze record from their own threads, in the order they end (the listener is called under
 * this log's lock, one step at a time).
 */
final class StepLog {

    private static final Logger LOG = LoggerFactory.getLogger(StepLog.class);

    /** Where the steps are recorded: {@link CutoverStore#step} in green. */
    interface Recorder {
        /**
         * @param seq the step's number in the run, from 1
         * @throws SQLException when the record cannot be written (logged; the run goes on)
         */
        void step(int seq, CutoverStep s) throws SQLException;
    }

    /** A step body; returns its detail line. */
    interface Body {
        String run() throws Exception;
    }

    private final Recorder store;
    private final CutoverCoordinator.StepListener listener;
    private final Clock clock;
    private final List<CutoverStep> steps = new ArrayList<>();
    private int saved;
    private int shown;
    private boolean holding;

    StepLog(Recorder store, CutoverCoordinator.StepListener listener, Clock clock) {
        this.store = store;
        this.listener = listener;
        this.clock = clock;
    }

    /**
     * Runs a step and records it {@code ok} with the body's detail, or {@code failed} with the error's
     * message (SQLState included).
     *
     * @return whether it succeeded; an interrupt is restored and counts as a failure
     */
    boolean step(String name, Body body) {
        return run(name, body).ok();
    }

    /**
     * As {@link #step}, returning the recorded step itself: steps running beside each other cannot use
     * {@link #last()}, which may be the other one's.
     */
    CutoverStep run(String name, Body body) {
        Instant t = clock.instant();
        long n0 = System.nanoTime();
        CutoverStep s;
        try {
            String detail = body.run();
            s = new CutoverStep(name, t, ms(n0), "ok", detail);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s = new CutoverStep(name, t, ms(n0), "failed", "interrupted");
        } catch (Exception e) {
            LOG.debug("step {} failed", name, e);
            s = new CutoverStep(name, t, ms(n0), "failed", message(e));
        }
        record(s);
        return s;
    }

    /** Records a step that ran elsewhere (or a plan line). */
    synchronized void record(CutoverStep s) {
        steps.add(s);
        if (!holding) {
            flush();
        }
    }

    /** While on, the listener's calls and green's records wait; turning it off makes them, in order. */
    synchronized void holdRecords(boolean on) {
        holding = on;
        if (!on) {
            flush();
        }
    }

    /** The newest step. */
    synchronized CutoverStep last() {
        return steps.get(steps.size() - 1);
    }

    /** Every step so far. */
    synchronized List<CutoverStep> steps() {
        return List.copyOf(steps);
    }

    private void flush() {
        while (shown < steps.size()) {
            listener.step(steps.get(shown++));
        }
        while (saved < steps.size()) {
            CutoverStep s = steps.get(saved);
            saved++;
            try {
                store.step(saved, s);
            } catch (SQLException | RuntimeException e) {
                LOG.warn("recording step {} in green failed: {}", s.name(), e.getMessage());
            }
        }
    }

    static double ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    static String message(Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof SQLException s && s.getSQLState() != null) {
            m += " (SQLState " + s.getSQLState() + ")";
        }
        return m;
    }
}
