package dev.bluegreen.cutover.parity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Issue 3: the rows-per-second cap holds a verify to its rate. */
class ThrottleTest {

    @Test
    void capsTheRate() throws InterruptedException {
        Throttle t = Throttle.of(10_000);
        long start = System.nanoTime();
        for (int i = 0; i < 6; i++) {
            t.rowsRead(1_000);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(ms).as("6,000 rows at 10,000 rows/s").isBetween(400L, 3_000L);
    }

    @Test
    void noCapDoesNotWait() throws InterruptedException {
        long start = System.nanoTime();
        Throttle.of(0).rowsRead(1_000_000);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(100);
    }
}
