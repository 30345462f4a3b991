package dev.bluegreen.cutover.coordinator;

import java.time.Instant;

/**
 * One logged step of a cutover.
 *
 * @param name step name, e.g. {@code freeze.lock}
 * @param startedAt wall-clock start
 * @param durationMs how long it took (ms, fractional)
 * @param outcome {@code ok}, {@code failed}, {@code skipped} or {@code planned} (dry run)
 * @param detail what it did or found, for people
 */
public record CutoverStep(String name, Instant startedAt, double durationMs, String outcome, String detail) {

    /** Whether the step succeeded (outcome {@code ok}). */
    public boolean ok() {
        return "ok".equals(outcome);
    }
}
