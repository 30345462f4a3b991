package dev.bluegreen.bench.streaming;

import dev.bluegreen.bench.report.ProcessCpu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CPU of a contender's processes per thread (threads of one name pattern summed, digits as {@code N}), in
 * slices of {@value #SLICE_MS} ms over the first seconds of S2's timed load: which stage is busy, and which waits,
 * while the lag climbs there (see bench/README.md, "S2's p99 is the first seconds of the timed load"). Reads
 * {@code /proc} ({@link ProcessCpu#threads}). One sampling thread; {@link #stop} joins it.
 */
final class ThreadTimeline {

    /** Slice length, ms. */
    static final long SLICE_MS = 250;

    private final Contender contender;
    private final long slices;
    private final List<Map<String, Double>> cpuBySlice = new ArrayList<>();
    private final Thread thread;

    private ThreadTimeline(Contender contender, long seconds) {
        this.contender = contender;
        this.slices = seconds * 1000 / SLICE_MS;
        this.thread = new Thread(this::loop, "thread-timeline");
        this.thread.setDaemon(true);
    }

    /** Starts sampling now, for {@code seconds}. */
    static ThreadTimeline start(Contender contender, long seconds) {
        ThreadTimeline t = new ThreadTimeline(contender, seconds);
        t.thread.start();
        return t;
    }

    private void loop() {
        Map<String, Double> before = totals();
        long next = System.nanoTime();
        for (long i = 0; i < slices; i++) {
            next += SLICE_MS * 1_000_000L;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
            Map<String, Double> now = totals();
            Map<String, Double> slice = new HashMap<>();
            now.forEach((k, v) -> slice.put(k, v - before.getOrDefault(k, 0.0)));
            before.clear();
            before.putAll(now);
            synchronized (cpuBySlice) {
                cpuBySlice.add(slice);
            }
        }
    }

    /** Cumulative CPU seconds by process label and thread name pattern. */
    private Map<String, Double> totals() {
        Map<String, Double> out = new HashMap<>();
        for (Contender.Proc p : contender.processes()) {
            ProcessCpu.threadsByName(p.pid()).forEach((name, seconds) -> out.merge(p.label() + ": " + name, seconds,
                    Double::sum));
        }
        return out;
    }

    /**
     * Waits for the sampling to end and writes {@code slice_ms,<thread>...} rows (each cell the share of one core
     * in that slice, 0-1) for the {@code top} busiest threads into {@code file}.
     *
     * @return the same as a few lines of text (one per thread: its share of a core per slice)
     */
    String stop(Path file, int top) throws InterruptedException, IOException {
        thread.join();
        List<Map<String, Double>> slicesNow;
        synchronized (cpuBySlice) {
            slicesNow = List.copyOf(cpuBySlice);
        }
        Map<String, Double> sum = new HashMap<>();
        slicesNow.forEach(s -> s.forEach((k, v) -> sum.merge(k, v, Double::sum)));
        List<String> busiest = sum.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(top).map(Map.Entry::getKey).toList();
        StringBuilder csv = new StringBuilder("slice_ms");
        busiest.forEach(n -> csv.append(',').append(n.replace(',', ' ')));
        csv.append('\n');
        Map<String, StringBuilder> lines = new LinkedHashMap<>();
        busiest.forEach(n -> lines.put(n, new StringBuilder()));
        for (int i = 0; i < slicesNow.size(); i++) {
            csv.append(i * SLICE_MS);
            for (String n : busiest) {
                double share = slicesNow.get(i).getOrDefault(n, 0.0) / (SLICE_MS / 1000.0);
                csv.append(',').append(String.format(Locale.ROOT, "%.2f", share));
                lines.get(n).append(String.format(Locale.ROOT, " %3.0f", share * 100));
            }
            csv.append('\n');
        }
        Files.writeString(file, csv);
        StringBuilder text = new StringBuilder("% of a core per " + SLICE_MS + " ms slice, from the start of the timed"
                + " load:\n");
        int width = busiest.stream().mapToInt(String::length).max().orElse(10);
        lines.forEach((n, l) -> text.append(String.format(Locale.ROOT, "  %-" + width + "s%s%n", n, l)));
        return text.toString();
    }
}
