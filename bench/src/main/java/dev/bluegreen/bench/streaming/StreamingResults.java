package dev.bluegreen.bench.streaming;

import dev.bluegreen.bench.report.BenchReport;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Locale;

/**
 * The figures of {@link StreamingBench}, in three {@link BenchReport}s: {@code s2-streaming} (lag and
 * blue's tps per contender), {@code s3-catchup} (backlog drain rate per contender) and {@code s6-memory}
 * (bluegreen's processes during S2 and the S3 drain). One value per run in each series, except the
 * pooled lag series (one value per probe). Not thread-safe.
 */
final class StreamingResults {

    /** The S6 target: peak RSS per process, MiB. */
    static final double RSS_TARGET_MIB = 512;

    /** Fractions of the drain at which S6 reports the RSS. */
    static final int[] DRAIN_POINTS_PERCENT = {25, 50, 75, 100};

    final BenchReport s2 = new BenchReport("s2-streaming",
            "lag from blue commit to visible on green under pgbench -c 4 -j 2, and blue's tps, vs native logical replication");
    final BenchReport s3 = new BenchReport("s3-catchup",
            "draining a backlog of pgbench changes (consumer stopped, then started; or, '(green stalled)', both"
                    + " pipelines running while a lock on green held every write), row changes/s, vs native logical"
                    + " replication");
    final BenchReport s6 = new BenchReport("s6-memory",
            "RSS and heap of bluegreen's processes while streaming (S2) and while draining a backlog (S3)");
    private final List<String> contenders;
    private final List<String> failures = new ArrayList<>();
    private final Map<BenchReport, Set<String>> filled = new IdentityHashMap<>();

    StreamingResults(List<String> contenders) {
        this.contenders = List.copyOf(contenders);
    }

    private static String role(String contender) {
        return contender.startsWith("bluegreen") ? "bluegreen" : "anchor";
    }

    /** Records one S2 run of a contender. */
    void streaming(String c, List<Double> lagsMs, long unseen, double tps, double drainMs) {
        String role = role(c);
        add(s2, c + " lag p50", "ms", role, BenchReport.percentile(lagsMs, 50));
        add(s2, c + " lag p99", "ms", role, BenchReport.percentile(lagsMs, 99));
        add(s2, c + " lag max", "ms", role, BenchReport.percentile(lagsMs, 100));
        lagsMs.forEach(v -> add(s2, c + " lag, every probe of every run", "ms", role, v));
        add(s2, "blue tps, " + c + " replicating", "tps", role, tps);
        add(s2, c + " drain after the load stopped", "ms", role, drainMs);
        if (unseen > 0) {
            s2.note(c + ": " + unseen + " probe(s) never seen on green within the wait");
        }
    }

    /** The S3 variant of a backlog left while the consumer was stopped (series names carry no suffix). */
    static final String RESTARTED = "";

    /** The S3 variant of a backlog left while green stalled under a lock, the pipeline running (a suffix). */
    static final String STALLED = " (green stalled)";

    /**
     * Records one S3 run of a contender. With {@link #RESTARTED}, the backlog's pgbench tps is the "no
     * replication running" figure; with {@link #STALLED}, replication ran during the backlog, so it is not.
     */
    void catchUp(String c, String variant, long rowChanges, double backlogTps, double totalSeconds,
                 double firstSeconds) {
        String role = role(c);
        String s = c + variant;
        if (variant.equals(RESTARTED)) {
            add(s2, "blue tps, no replication running", "tps", "baseline", backlogTps);
        }
        add(s3, s + " catch-up row changes/s, from start to caught up", "rows/s", role, rowChanges / totalSeconds);
        add(s3, s + " catch-up row changes/s, from the first backlog row applied", "rows/s", role,
                rowChanges / Math.max(1e-3, totalSeconds - firstSeconds));
        add(s3, s + " catch-up time", "s", role, totalSeconds);
        add(s3, s + " time to the first backlog row on green", "s", role, firstSeconds);
        add(s3, s + " backlog", "row changes", "load", rowChanges);
    }

    /**
     * Records where one S3 drain's CPU went: per process (label to CPU seconds from the drain's start to caught
     * up, see {@link DrainCpu}), as microseconds of CPU per row change of the backlog.
     */
    void drainCpu(String c, String variant, long rowChanges, java.util.Map<String, Double> cpuSeconds) {
        cpuSeconds.forEach((label, sec) -> add(s3, c + variant + " drain CPU per row change, " + label, "us",
                role(c), sec * 1e6 / rowChanges));
    }

    /** Adds a note to the S3 report. */
    void note3(String note) {
        s3.note(note);
    }

    /** Records the memory of one process during S2 (whole phase) or S3 (the drain, {@code drainMs} long). */
    void memory(String phase, String label, List<MemorySampler.Sample> samples, long drainMs) {
        double peak = MemorySampler.peakRss(samples, label);
        if (Double.isNaN(peak)) {
            return;
        }
        add(s6, label + " peak RSS, " + phase, "MiB", "bluegreen", peak);
        double heap = MemorySampler.peakHeap(samples, label);
        if (!Double.isNaN(heap)) {
            add(s6, label + " peak heap used, " + phase, "MiB", "bluegreen", heap);
            add(s6, label + " peak heap committed, " + phase, "MiB", "bluegreen",
                    MemorySampler.peakCommitted(samples, label));
        }
        if (drainMs > 0) {
            for (int pct : DRAIN_POINTS_PERCENT) {
                double v = MemorySampler.rssAt(samples, label, drainMs * pct / 100);
                if (!Double.isNaN(v)) {
                    add(s6, label + " RSS at " + pct + "% of the drain" + phase.substring("S3 drain".length()), "MiB",
                            "bluegreen", v);
                }
            }
        }
    }

    /** Notes a phase that failed (the bench stops repeating after one). */
    void failed(String what, Exception e) {
        failures.add(what + ": " + e.getMessage());
    }

    /** Adds ratios, targets and notes, and writes the three reports. */
    void write(List<String> s2Profile, List<String> s3Profile) {
        failures.forEach(f -> List.of(s2, s3, s6).forEach(r -> r.note("FAILED " + f)));
        for (String c : contenders) {
            if (!c.startsWith("bluegreen") && has(s2, c + " lag p99") && has(s2, "bluegreen lag p99")) {
                s2.ratio("lag p99, bluegreen / " + c, "bluegreen lag p99", c + " lag p99");
            }
            if (has(s2, "blue tps, " + c + " replicating") && has(s2, "blue tps, no replication running")) {
                s2.ratio("blue tps with " + c + " / without replication", "blue tps, " + c + " replicating",
                        "blue tps, no replication running");
            }
            for (String ours : List.of("bluegreen", "bluegreen-split")) {
                for (String v : List.of(RESTARTED, STALLED)) {
                    String rate = v + " catch-up row changes/s, from start to caught up";
                    if (c.startsWith("bluegreen") || !has(s3, c + rate) || !has(s3, ours + rate)) {
                        continue;
                    }
                    double r = s3.ratio("catch-up rate" + v + ", " + ours + " / " + c, ours + rate, c + rate);
                    String after = v + " catch-up row changes/s, from the first backlog row applied";
                    s3.ratio("catch-up rate" + v + " after the first row, " + ours + " / " + c, ours + after,
                            c + after);
                    if (c.equals("native")) {
                        s3.target("S3" + v + ": " + ours + "'s catch-up rate >= 0.5 x native", r >= 0.5,
                                String.format(Locale.ROOT, "ratio of medians %.2f (start to caught up, %s)", r,
                                        !v.equals(RESTARTED) ? "both pipelines running, green's lock released at the start"
                                                : ours.equals("bluegreen") ? "bluegreen's process start included"
                                                : "the apply process's start included; capture ran throughout"));
                    }
                }
            }
        }
        if (has(s2, "bluegreen lag p99")) {
            List<Double> p99 = s2.series("bluegreen lag p99", "ms", "bluegreen").values();
            double median = BenchReport.median(p99);
            s2.target("S2: bluegreen lag p99 <= 1 s", median <= 1000, String.format(Locale.ROOT,
                    "median of the runs' p99 %.0f ms, worst run %.0f ms", median, BenchReport.percentile(p99, 100)));
            if (has(s2, "jdbcsink lag p99")) {
                double theirs = s2.series("jdbcsink lag p99", "ms", "anchor").median();
                s2.target("S2: bluegreen lag p99 below the Debezium JDBC sink's", median < theirs, String.format(
                        Locale.ROOT, "medians of the runs' p99: bluegreen %.0f ms, JDBC sink %.0f ms", median, theirs));
            }
        }
        memoryTargets();
        s2Profile.forEach(s2::note);
        s3Profile.forEach(s3::note);
        s2.write();
        s3.write();
        s6.write();
    }

    private void memoryTargets() {
        for (String label : List.of("bluegreen run", "bluegreen run --role capture", "bluegreen run --role apply",
                "embedded broker")) {
            double worst = Double.NaN;
            for (String phase : List.of("S2 streaming", "S3 drain", "S3 drain" + STALLED)) {
                String name = label + " peak RSS, " + phase;
                if (has(s6, name)) {
                    double m = BenchReport.percentile(s6.series(name, "MiB", "bluegreen").values(), 100);
                    worst = Double.isNaN(worst) ? m : Math.max(worst, m);
                }
            }
            if (!Double.isNaN(worst)) {
                s6.target("S6: " + label + " RSS <= 512 MiB", worst <= RSS_TARGET_MIB, String.format(Locale.ROOT,
                        "highest peak over every run %.0f MiB", worst));
            }
        }
        List<String> points = new ArrayList<>();
        for (int pct : DRAIN_POINTS_PERCENT) {
            String name = "bluegreen run RSS at " + pct + "% of the drain";
            if (has(s6, name)) {
                points.add(String.format(Locale.ROOT, "%d%%: %.0f", pct, s6.series(name, "MiB", "bluegreen").median()));
            }
        }
        if (!points.isEmpty()) {
            s6.note("bluegreen run RSS through the drain (medians, MiB): " + String.join(", ", points));
        }
    }

    private void add(BenchReport r, String series, String unit, String role, double value) {
        r.series(series, unit, role).add(value);
        filled.computeIfAbsent(r, k -> new HashSet<>()).add(series);
    }

    /** Whether the series has values (asking the report would create it empty). */
    private boolean has(BenchReport r, String series) {
        return filled.getOrDefault(r, Set.of()).contains(series);
    }
}
