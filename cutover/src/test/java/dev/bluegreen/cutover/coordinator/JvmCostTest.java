package dev.bluegreen.cutover.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.junit.jupiter.api.Test;

class JvmCostTest {

    @Test
    void countsTheCpuSpentSinceTheMark() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        JvmCost mark = JvmCost.now();
        long t0 = threads.getCurrentThreadCpuTime();
        long x = 0;
        while (threads.getCurrentThreadCpuTime() - t0 < 60_000_000L) { // 60 ms of this thread's CPU
            x += Long.numberOfTrailingZeros(x + System.nanoTime());
        }
        JvmCost spent = mark.since();

        assertThat(x).isNotNegative();
        // the process's CPU includes this thread's 60 ms (the OS counts in ticks of up to 10 ms)
        assertThat(spent.cpuMs()).isGreaterThanOrEqualTo(45.0);
        assertThat(spent.jitMs()).isGreaterThanOrEqualTo(0);
        assertThat(spent.classesLoaded()).isNotNegative();
    }

    @Test
    void classesLoadedAfterTheMarkAreCounted() throws Exception {
        JvmCost mark = JvmCost.now();
        // a JDK class nothing in a test JVM loads (not initialised: loading is what is counted)
        Class.forName("javax.sound.midi.ShortMessage", false, ClassLoader.getSystemClassLoader());

        assertThat(mark.since().classesLoaded()).isPositive();
    }

    @Test
    void describesEachFigureWithItsUnitAndNamesWhatTheJvmCannotGive() {
        assertThat(new JvmCost(41.04, 12, 35).describe())
                .isEqualTo("coordinator JVM: 41.0 ms CPU, 12 ms JIT, 35 classes loaded");
        assertThat(new JvmCost(-1, -1, 0).describe()).isEqualTo("coordinator JVM: n/a CPU, n/a JIT, 0 classes loaded");
    }
}
