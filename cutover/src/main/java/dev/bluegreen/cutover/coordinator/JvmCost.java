package dev.bluegreen.cutover.coordinator;

import java.lang.management.ClassLoadingMXBean;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * What the coordinator's own JVM spent between two points: CPU of the whole process (ms, all threads, JIT and GC
 * included, from {@code com.sun.management.OperatingSystemMXBean#getProcessCpuTime}), JIT compilation (ms, as
 * {@link CompilationMXBean#getTotalCompilationTime} reports it: the compiler threads' elapsed time, summed) and classes
 * loaded. Shown in the {@code release} step, so that a freeze window can be told apart into waiting for the servers and
 * the coordinator's own work (a fresh JVM runs the freeze's code for the first time). A figure the JVM cannot give is
 * -1. Immutable; {@link #since} is thread-safe.
 */
record JvmCost(double cpuMs, long jitMs, long classesLoaded) {

    /** The counters now, as a start mark. */
    static JvmCost now() {
        return new JvmCost(readCpuMs(), readJitMs(), readClasses());
    }

    /** What was spent since this mark (one from {@link #now}) until now. */
    JvmCost since() {
        JvmCost end = now();
        return new JvmCost(cpuMs < 0 || end.cpuMs < 0 ? -1 : end.cpuMs - cpuMs,
                jitMs < 0 || end.jitMs < 0 ? -1 : end.jitMs - jitMs, end.classesLoaded - classesLoaded);
    }

    /** One line, e.g. {@code coordinator JVM: 41.0 ms CPU, 12 ms JIT, 35 classes loaded}. */
    String describe() {
        return String.format(Locale.ROOT, "coordinator JVM: %s CPU, %s JIT, %d classes loaded",
                cpuMs < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f ms", cpuMs),
                jitMs < 0 ? "n/a" : jitMs + " ms", classesLoaded);
    }

    private static double readCpuMs() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long ns = os.getProcessCpuTime();
            return ns < 0 ? -1 : ns / 1e6;
        }
        return -1;
    }

    private static long readJitMs() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    private static long readClasses() {
        ClassLoadingMXBean cl = ManagementFactory.getClassLoadingMXBean();
        return cl.getTotalLoadedClassCount();
    }
}
