package dev.bluegreen.bench.streaming;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Samples the memory of a contender's processes every {@value #INTERVAL_MS} ms: resident set size
 * ({@code VmRSS}) and its high-water mark ({@code VmHWM}) from {@code /proc/PID/status}, and for JVMs the
 * heap in use (survivor + eden + old used, from one {@code jstat -gc PID 500} per JVM, started when the
 * JVM is first seen). The process list is asked again at every tick, so a process restarted meanwhile
 * (bluegreen's catch-up) is followed. Sizes in MiB.
 *
 * <p>Thread-safety: one sampling thread; {@link #window} may be called from another; {@link #stop} joins it; the
 * results are read after.
 */
final class MemorySampler implements AutoCloseable {

    /** Sampling period, ms. */
    static final long INTERVAL_MS = 500;

    /**
     * One sample of one process.
     *
     * @param atMs ms since the sampler started
     * @param rssMiB VmRSS
     * @param hwmMiB VmHWM (peak RSS of the process so far)
     * @param heapMiB heap in use from the latest jstat line, NaN when none yet (or not a JVM)
     * @param committedMiB heap committed (survivor + eden + old capacity) from the same line, NaN likewise
     */
    record Sample(String label, long atMs, double rssMiB, double hwmMiB, double heapMiB, double committedMiB) {
    }

    private final Contender contender;
    private volatile long startNanos = System.nanoTime();
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final Map<Long, Process> jstats = new HashMap<>();
    private final Map<Long, double[]> heapByPid = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    private MemorySampler(Contender contender) {
        this.contender = contender;
        this.thread = new Thread(this::loop, "memory-sampler");
    }

    /** Starts sampling the contender's processes (nothing is sampled when it has none). */
    static MemorySampler start(Contender contender) {
        MemorySampler s = new MemorySampler(contender);
        s.thread.setDaemon(true);
        s.thread.start();
        return s;
    }

    /**
     * Starts the measured window now: the samples so far are dropped and {@code atMs} counts from here; the jstat
     * processes already started go on. Start the sampler before the timed part and call this at its start: each
     * jstat is a JVM start (about 0.5 s of CPU, measured), and two of them at the start of S2's timed load stalled
     * the pipeline for about 2.5 s on the saturated 2-core box, the p99 of the whole run.
     */
    void window() {
        startNanos = System.nanoTime();
        samples.clear();
    }

    private void loop() {
        while (running) {
            for (Contender.Proc p : contender.processes()) {
                sample(p);
            }
            try {
                Thread.sleep(INTERVAL_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample(Contender.Proc p) {
        double rss = Double.NaN;
        double hwm = Double.NaN;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kib(line) / 1024.0;
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kib(line) / 1024.0;
                }
            }
        } catch (IOException gone) {
            return; // the process ended between the listing and the read
        }
        if (p.jvm() && !jstats.containsKey(p.pid())) {
            jstats.put(p.pid(), jstat(p.pid()));
        }
        double[] heap = heapByPid.getOrDefault(p.pid(), new double[] {Double.NaN, Double.NaN});
        samples.add(new Sample(p.label(), (System.nanoTime() - startNanos) / 1_000_000, rss, hwm, heap[0], heap[1]));
    }

    private static long kib(String statusLine) {
        return Long.parseLong(statusLine.replaceAll("[^0-9]", ""));
    }

    /** Starts {@code jstat -gc PID 500}; a reader thread keeps {@link #heapByPid} at its latest line. */
    private Process jstat(long pid) {
        try {
            Process p = new ProcessBuilder("jstat", "-gc", Long.toString(pid), Long.toString(INTERVAL_MS))
                    .redirectErrorStream(true).start();
            Thread reader = new Thread(() -> readJstat(pid, p), "jstat-" + pid);
            reader.setDaemon(true);
            reader.start();
            return p;
        } catch (IOException e) {
            return null; // no jstat: RSS only
        }
    }

    private void readJstat(long pid, Process p) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            List<String> header = null;
            for (String line; (line = r.readLine()) != null; ) {
                String[] cols = line.trim().split("\\s+");
                if (cols.length > 0 && cols[0].equals("S0C")) {
                    header = List.of(cols);
                } else if (header != null && cols.length == header.size()) {
                    double usedKib = 0;
                    for (String c : List.of("S0U", "S1U", "EU", "OU")) {
                        usedKib += Double.parseDouble(cols[header.indexOf(c)]);
                    }
                    double committedKib = 0;
                    for (String c : List.of("S0C", "S1C", "EC", "OC")) {
                        committedKib += Double.parseDouble(cols[header.indexOf(c)]);
                    }
                    heapByPid.put(pid, new double[] {usedKib / 1024.0, committedKib / 1024.0});
                }
            }
        } catch (IOException | RuntimeException ended) {
            // jstat ends with its JVM
        }
    }

    /** Stops sampling and the jstat processes; returns every sample, oldest first. */
    List<Sample> stop() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join();
        for (Process p : jstats.values()) {
            if (p != null) {
                p.destroy();
            }
        }
        return new ArrayList<>(samples);
    }

    /** Highest VmHWM (else VmRSS) seen for the label, MiB; NaN when never sampled. */
    static double peakRss(List<Sample> samples, String label) {
        return samples.stream().filter(s -> s.label().equals(label))
                .mapToDouble(s -> Double.isNaN(s.hwmMiB()) ? s.rssMiB() : s.hwmMiB()).max().orElse(Double.NaN);
    }

    /** Highest heap in use seen for the label, MiB; NaN when never sampled. */
    static double peakHeap(List<Sample> samples, String label) {
        return samples.stream().filter(s -> s.label().equals(label) && !Double.isNaN(s.heapMiB()))
                .mapToDouble(Sample::heapMiB).max().orElse(Double.NaN);
    }

    /** Highest heap committed seen for the label, MiB; NaN when never sampled. */
    static double peakCommitted(List<Sample> samples, String label) {
        return samples.stream().filter(s -> s.label().equals(label) && !Double.isNaN(s.committedMiB()))
                .mapToDouble(Sample::committedMiB).max().orElse(Double.NaN);
    }

    /** VmRSS of the label's last sample at or before {@code atMs}, MiB; NaN when there is none. */
    static double rssAt(List<Sample> samples, String label, long atMs) {
        double v = Double.NaN;
        for (Sample s : samples) {
            if (s.label().equals(label) && s.atMs() <= atMs) {
                v = s.rssMiB();
            }
        }
        return v;
    }

    @Override
    public void close() throws InterruptedException {
        if (running) {
            stop();
        }
    }
}
