package dev.bluegreen.bench.streaming;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A system-wide {@code perf record -a -F} {@value #HZ} (software {@code cpu-clock} samples: this machine's KVM
 * guest exposes no hardware counters) over one S3 drain, and flat reports from it: green's busiest PostgreSQL processes by
 * function (each against its own samples), and the whole machine by command and shared object. Native code only: JVM frames stay unresolved
 * (no perf map), so the JVMs' share shows by command, not by method; {@code --jfr} covers them. Started before the
 * drain's first reading and stopped with SIGINT after green caught up. Not thread-safe; one per drain.
 *
 * <p>Needs {@code perf} on the PATH and {@code kernel.perf_event_paranoid} low enough for system-wide sampling
 * (root, or 0 or lower); {@link #start} throws {@link IllegalStateException} naming the fix otherwise.
 */
final class DrainPerf {

    static final int HZ = 499;

    private final Path data;
    private final Path log;
    private final Process perf;

    private DrainPerf(Path data, Path log, Process perf) {
        this.data = data;
        this.log = log;
        this.perf = perf;
    }

    /** Starts recording into {@code dir/perf.data}; returns once perf has begun writing (or fails). */
    static DrainPerf start(Path dir) throws IOException, InterruptedException {
        Path data = dir.resolve("perf.data");
        Path log = dir.resolve("perf-record.log");
        Process p = new ProcessBuilder("perf", "record", "-a", "-e", "cpu-clock", "-F", Integer.toString(HZ), "-o",
                data.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        for (int i = 0; i < 50 && p.isAlive() && !(Files.exists(data) && Files.size(data) > 0); i++) {
            Thread.sleep(20);
        }
        if (!p.isAlive()) {
            throw new IllegalStateException("perf record ended at once (see " + log + "); --perf needs perf on the PATH"
                    + " and system-wide sampling allowed: run as root or set kernel.perf_event_paranoid to 0");
        }
        return new DrainPerf(data, log, p);
    }

    /** Stops the recording (SIGINT, so perf writes its header) and waits up to 30 s for it. */
    void stop() throws IOException, InterruptedException {
        if (perf.isAlive()) {
            new ProcessBuilder("kill", "-INT", Long.toString(perf.pid())).start().waitFor();
            if (!perf.waitFor(30, TimeUnit.SECONDS)) {
                perf.destroyForcibly();
                throw new IllegalStateException("perf record did not stop within 30 s; see " + log);
            }
        }
    }

    /**
     * The hottest functions of one process, as {@code "share% dso symbol"} entries, shares of that process's samples.
     *
     * @param pid the process (one of green's backends)
     * @param top how many functions at most
     */
    String functions(long pid, int top) throws IOException, InterruptedException {
        return report(top, "--pid=" + pid, "--percentage", "relative", "--sort", "dso,sym");
    }

    /** The whole machine's samples by command and shared object, at most {@code top} entries. */
    String machine(int top) throws IOException, InterruptedException {
        return report(top, "--sort", "comm,dso");
    }

    private String report(int top, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("perf", "report", "-i", data.toString(), "--stdio", "--no-children",
                "-q", "--percent-limit", "0.5"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("perf report failed on " + data + ": " + String.join(" ", cmd));
        }
        List<String> entries = new ArrayList<>();
        for (String line : out.split("\n")) {
            String t = line.trim().replaceAll("\\s+", " ");
            if (!t.isEmpty() && !t.startsWith("#") && entries.size() < top) {
                entries.add(t);
            }
        }
        return String.join("; ", entries);
    }
}
