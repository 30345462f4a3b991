package dev.bluegreen.bench.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * CPU time from Linux's {@code /proc}: of one process (all its threads, {@code utime + stime} of
 * {@code /proc/PID/stat}), of a process tree (plus its live children's and what its reaped children used,
 * {@code cutime + cstime}: a PostgreSQL postmaster and its backends), and of the whole machine (every
 * busy tick of {@code /proc/stat}). Figures are seconds of CPU, in clock ticks of {@code getconf CLK_TCK}
 * (100 on Linux). Two readings around a window give what was used in it; divided by the window's
 * wall-clock seconds, how many cores were busy. Stateless and thread-safe.
 */
public final class ProcessCpu {

    private static final double TICKS_PER_SECOND = ticksPerSecond();

    private ProcessCpu() {
    }

    /**
     * CPU seconds process {@code pid} has used so far; with {@code tree}, plus those of its live children and
     * of the children it has reaped (one level: PostgreSQL's backends are the postmaster's children). A child
     * that exits between two readings is counted in the second through its parent's {@code cutime} once reaped
     * (see {@link #children}).
     *
     * @throws UncheckedIOException when the process is gone or {@code /proc} cannot be read
     */
    public static double seconds(long pid, boolean tree) {
        long[] own = stat(pid);
        long ticks = own[0] + own[1];
        if (tree) {
            ticks += own[2] + own[3];
            for (long child : children(pid)) {
                try {
                    long[] c = stat(child);
                    ticks += c[0] + c[1];
                } catch (UncheckedIOException gone) {
                    // exited meanwhile: its time is in the parent's cutime once reaped
                }
            }
        }
        return ticks / TICKS_PER_SECOND;
    }

    /**
     * CPU seconds used by the children process {@code pid} has reaped so far ({@code cutime + cstime} of
     * {@code /proc/PID/stat}): a PostgreSQL postmaster's backends and workers that have ended.
     *
     * @throws UncheckedIOException when the process is gone or {@code /proc} cannot be read
     */
    public static double reapedChildrenSeconds(long pid) {
        long[] own = stat(pid);
        return (own[2] + own[3]) / TICKS_PER_SECOND;
    }

    /**
     * Busy CPU seconds of the whole machine so far, over all cores ({@code /proc/stat}'s first line: user,
     * nice, system, irq, softirq and steal; not idle or iowait).
     *
     * @throws UncheckedIOException when {@code /proc/stat} cannot be read
     */
    public static double machineSeconds() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += Long.parseLong(f[i]);
            }
            return busy / TICKS_PER_SECOND;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/stat", e);
        }
    }

    /**
     * The process id in the first line of a pid file ({@code postmaster.pid}, {@code mariadbd.pid}).
     *
     * @throws UncheckedIOException when the file cannot be read
     * @throws NumberFormatException when its first line is not a number
     */
    public static long pidFile(Path file) {
        try {
            return Long.parseLong(Files.readAllLines(file).get(0).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read pid file " + file, e);
        }
    }

    /** utime, stime, cutime, cstime of a process, in ticks. */
    private static long[] stat(long pid) {
        return stat(Path.of("/proc/" + pid + "/stat"));
    }

    /** utime, stime, cutime, cstime from a {@code stat} file of {@code /proc} (a process's or a thread's), in ticks. */
    private static long[] stat(Path file) {
        String s;
        try {
            s = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        // the command name (field 2) is in parentheses and may hold blanks: count from the last ')'
        String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split("\\s+");
        // f[0] is field 3 (state); utime is field 14
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
    }

    /**
     * One thread's CPU so far.
     *
     * @param name its name ({@code /proc/PID/task/TID/comm}, at most 15 characters: "C2 CompilerThre")
     * @param seconds its {@code utime + stime}, seconds
     */
    public record ThreadCpu(String name, double seconds) {
    }

    /**
     * The CPU of every live thread of a process so far (threads that ended are not in it; their time is not
     * reported per thread).
     *
     * @return one entry per thread; empty when the process is gone
     */
    public static java.util.List<ThreadCpu> threads(long pid) {
        java.util.List<ThreadCpu> out = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    long[] st = stat(t.resolve("stat"));
                    out.add(new ThreadCpu(Files.readString(t.resolve("comm")).trim(), (st[0] + st[1]) / TICKS_PER_SECOND));
                } catch (IOException | UncheckedIOException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | UncheckedIOException e) {
            return java.util.List.of();
        }
        return out;
    }

    /**
     * {@link #threads} summed by thread name with digits folded to {@code N} ("C2 CompilerThread0" and "...1" are
     * "CN CompilerThreN"), seconds.
     *
     * @return an empty map when the process is gone
     */
    public static java.util.Map<String, Double> threadsByName(long pid) {
        java.util.Map<String, Double> out = new java.util.HashMap<>();
        for (ThreadCpu t : threads(pid)) {
            out.merge(t.name().replaceAll("[0-9]+", "N"), t.seconds(), Double::sum);
        }
        return out;
    }

    /**
     * The process ids of a process's children now, exited ones not yet reaped included (a zombie's CPU reads as
     * nothing until its parent reaps it: wait for new children to go before the second reading).
     */
    public static Set<Long> children(long pid) {
        Set<Long> out = new HashSet<>();
        ProcessHandle.of(pid).ifPresent(p -> p.children().forEach(c -> out.add(c.pid())));
        return out;
    }

    private static double ticksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? Double.parseDouble(out) : 100;
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
