package dev.bluegreen.cutover.parity;

import dev.failsafe.RateLimiter;
import java.time.Duration;

/**
 * Caps the blue rows a verify reads per second (Failsafe's smooth rate limiter), so a verify can run
 * against production. Thread-safe.
 */
public final class Throttle {

    private final RateLimiter<Object> limiter;

    private Throttle(RateLimiter<Object> limiter) {
        this.limiter = limiter;
    }

    /** A throttle of at most {@code rowsPerSecond} rows per second; 0 means none. */
    public static Throttle of(long rowsPerSecond) {
        return new Throttle(rowsPerSecond <= 0 ? null
                : RateLimiter.smoothBuilder(rowsPerSecond, Duration.ofSeconds(1)).build());
    }

    /**
     * Takes permits for rows just read: blocks as long as the cap requires.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    public void rowsRead(int rows) throws InterruptedException {
        if (limiter != null && rows > 0) {
            limiter.acquirePermits(rows);
        }
    }
}
