package dev.bluegreen.bench.streaming;

import dev.bluegreen.bench.report.ProcessCpu;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Where the CPU of one S3 drain goes: blue's and green's PostgreSQL (postmaster and backends: the walsender
 * decoding the backlog, the apply worker or the sink's sessions), each process the contender runs (bluegreen's
 * {@code run} JVM and its broker, started by the resume: their figure includes their start-up), and the
 * whole machine, from {@link ProcessCpu} ({@code /proc}), read at resume and when green caught up.
 * Not thread-safe; one per drain.
 */
final class DrainCpu {

    private final StreamPair pair;
    private final double blue0;
    private final double green0;
    private final double machine0;
    private final Map<String, Double> greenProcs0;

    private DrainCpu(StreamPair pair) {
        this.pair = pair;
        this.blue0 = server(pair.blue);
        this.green0 = server(pair.green);
        this.machine0 = ProcessCpu.machineSeconds();
        this.greenProcs0 = backends(pair.green);
    }

    /** Takes the first reading (call right before the contender resumes). */
    static DrainCpu start(StreamPair pair) {
        return new DrainCpu(pair);
    }

    /**
     * Takes the second reading.
     *
     * @param procs the contender's processes, started at or after the first reading
     * @return CPU seconds per label, in the order blue, green, each process, machine
     */
    Map<String, Double> stop(List<Contender.Proc> procs) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("blue PostgreSQL", server(pair.blue) - blue0);
        out.put("green PostgreSQL", server(pair.green) - green0);
        for (Contender.Proc p : procs) {
            try {
                out.put(p.label(), ProcessCpu.seconds(p.pid(), false));
            } catch (UncheckedIOException gone) {
                // the process ended before the reading: nothing to attribute
            }
        }
        out.put("machine", ProcessCpu.machineSeconds() - machine0);
        return out;
    }

    /**
     * The CPU seconds of each thread group of a process so far ({@code /proc/PID/task/TID/comm}, digits folded
     * to N so that "GC Thread#0" and "GC Thread#1" add up), highest first, at most {@code top}; the threads that
     * ended before the reading are not in it.
     */
    static Map<String, Double> threads(long pid, int top) {
        Map<String, Double> byName = new java.util.HashMap<>();
        java.nio.file.Path tasks = java.nio.file.Path.of("/proc/" + pid + "/task");
        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(tasks)) {
            for (java.nio.file.Path t : s.toList()) {
                try {
                    String name = java.nio.file.Files.readString(t.resolve("comm")).trim().replaceAll("[0-9]+", "N");
                    String stat = java.nio.file.Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
                    double sec = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
                    byName.merge(name, sec, Double::sum);
                } catch (java.io.IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (java.io.IOException e) {
            return Map.of();
        }
        Map<String, Double> out = new LinkedHashMap<>();
        byName.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(top)
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /**
     * Green's CPU in the window by process title ({@code /proc/PID/cmdline} of the postmaster's children, digits
     * folded to N: "postgres: postgres bench 127.0.0.1(N) idle", "postgres: autovacuum worker"), plus "exited"
     * for the children that ended in the window (their time is in the postmaster's cutime), highest first.
     */
    Map<String, Double> greenByProcess() {
        Map<String, Double> now = backends(pair.green);
        Map<String, Double> delta = new java.util.HashMap<>();
        now.forEach((k, v) -> delta.put(k, v - greenProcs0.getOrDefault(k, 0.0)));
        Map<String, Double> out = new LinkedHashMap<>();
        delta.entrySet().stream().filter(e -> e.getValue() > 0.005)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(10)
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** CPU seconds so far per live child (by pid and title) of a server's postmaster, and "exited" for the reaped. */
    private static Map<String, Double> backends(dev.bluegreen.testkit.LocalPostgres server) {
        long postmaster = ProcessCpu.pidFile(server.dataDir().resolve("postmaster.pid"));
        Map<String, Double> out = new java.util.HashMap<>();
        out.put("exited", ProcessCpu.seconds(postmaster, true) - ProcessCpu.seconds(postmaster, false)
                - ProcessCpu.children(postmaster).stream().mapToDouble(DrainCpu::own).sum());
        for (long child : ProcessCpu.children(postmaster)) {
            try {
                String title = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + child + "/cmdline"))
                        .replace('\0', ' ').trim().replaceAll("[0-9]+", "N");
                // a pid per title: two idle backends with the same title stay apart, and one that is new has no start
                out.merge(title + " [" + child + "]", own(child), Double::sum);
            } catch (java.io.IOException | java.io.UncheckedIOException gone) {
                // ended meanwhile
            }
        }
        return out;
    }

    private static double own(long pid) {
        try {
            return ProcessCpu.seconds(pid, false);
        } catch (java.io.UncheckedIOException gone) {
            return 0;
        }
    }

    /** {@code label value} pairs in microseconds per row change, for the console. */
    static String perRowLine(Map<String, Double> cpuSeconds, long rowChanges) {
        StringJoiner j = new StringJoiner(", ");
        cpuSeconds.forEach((label, sec) -> j.add(String.format(Locale.ROOT, "%s %.1f", label, sec * 1e6 / rowChanges)));
        return j.toString();
    }

    private static double server(dev.bluegreen.testkit.LocalPostgres server) {
        return ProcessCpu.seconds(ProcessCpu.pidFile(server.dataDir().resolve("postmaster.pid")), true);
    }
}
