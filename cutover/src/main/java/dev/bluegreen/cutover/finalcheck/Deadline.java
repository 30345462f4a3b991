package dev.bluegreen.cutover.finalcheck;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A point on the monotonic clock ({@link System#nanoTime()}) by which a bounded piece of work must end,
 * and the budget it came from. Immutable, thread-safe.
 *
 * @param atNanos the deadline, in {@link System#nanoTime()} units
 * @param budget the time that was allowed
 */
public record Deadline(long atNanos, Duration budget) {

    public Deadline {
        requireNonNull(budget, "budget is null");
        if (budget.isNegative()) {
            throw new IllegalArgumentException("budget must not be negative, got " + budget);
        }
    }

    /** A deadline {@code budget} from now; a zero budget is expired at once. */
    public static Deadline after(Duration budget) {
        return new Deadline(System.nanoTime() + budget.toNanos(), budget);
    }

    /** True once the deadline has passed (or been reached). */
    public boolean expired() {
        return System.nanoTime() - atNanos >= 0;
    }

    /** Time left, never negative. */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, atNanos - System.nanoTime()));
    }
}
