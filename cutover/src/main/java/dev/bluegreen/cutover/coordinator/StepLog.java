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
 * green ({@code bluegreen.cutover_step}). Inside the freeze, green's records are held back and written
 * after the release ({@link #holdRecords}), since each insert costs milliseconds of freeze; a record that
 * cannot be written is logged and never fails the run. Not thread-safe.
 */
final class StepLog {

    private static final Logger LOG = LoggerFactory.getLogger(StepLog.class);

    /** A step body; returns its detail line. */
    interface Body {
        String run() throws Exception;
    }

    private final CutoverStore store;
    private final CutoverCoordinator.StepListener listener;
    private final Clock clock;
    private final List<CutoverStep> steps = new ArrayList<>();
    private int saved;
    private boolean holding;

    StepLog(CutoverStore store, CutoverCoordinator.StepListener listener, Clock clock) {
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

    /** Records a step that ran elsewhere (or a plan line). */
    void record(CutoverStep s) {
        steps.add(s);
        listener.step(s);
        if (!holding) {
            flush();
        }
    }

    /** While on, green's records wait; turning it off writes them. */
    void holdRecords(boolean on) {
        holding = on;
        if (!on) {
            flush();
        }
    }

    /** The newest step. */
    CutoverStep last() {
        return steps.get(steps.size() - 1);
    }

    /** Every step so far. */
    List<CutoverStep> steps() {
        return List.copyOf(steps);
    }

    private void flush() {
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
