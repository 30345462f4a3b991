package dev.bluegreen.bench.streaming;

import static dev.bluegreen.bench.report.BenchSupport.intArg;
import static dev.bluegreen.bench.report.BenchSupport.stringArg;
import static dev.bluegreen.bench.report.BenchSupport.deleteTree;

import dev.bluegreen.bench.report.BenchSupport;
import dev.bluegreen.testkit.LocalPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 5's streaming scenarios, bluegreen against PostgreSQL's native logical replication on the same
 * pair, interleaved: S2 (lag from blue commit to visible on green under {@code pgbench -c 4 -j 2}, and
 * blue's tps), S3 (draining a backlog left while the consumer was stopped) and S6 (memory of bluegreen's
 * processes during both).
 *
 * <p>One pair of throwaway servers ({@link StreamPair}: {@code pgbench -i -s SCALE} on both, identical).
 * Every repetition runs one phase per scenario and contender, the order rotated by one each
 * repetition (so contenders alternate and each goes first in turn); each phase starts the contender
 * afresh from blue's current position, waits until a write reaches green, measures, writes a marker
 * transaction, waits until green applied it, stops the contender and checks that green equals blue
 * (untimed; a difference aborts with WRONG DATA).
 * <ul>
 *   <li>S2 phase: an untimed warm-up load ({@code --warmup-seconds}), then the {@link Probe} (a row every 100 ms on blue, green polled every 10 ms) during
 *       {@code pgbench -T LOAD}; lag p50/p99/max per run; pgbench's tps; the drain after the load.
 *   <li>S3 phase: {@link Contender#pause}, {@code pgbench -T BACKLOG} (plus the probe writer), marker,
 *       {@link Contender#resume}, then time until green holds the marker. Backlog = pgbench
 *       transactions x 4 row changes + probe rows + the marker's 4. pgbench's tps here, with nothing
 *       replicating (bluegreen's processes stopped / the subscription disabled; only an idle slot
 *       keeps WAL), is S2's "no replication running" figure.
 *   <li>S3 after a stall ({@code s3stall}): the same warm-up as S2, then green's
 *       replicated tables locked {@code IN EXCLUSIVE MODE} by the bench during {@code pgbench -T BACKLOG},
 *       marker, lock released, time until green holds the marker; both pipelines keep running throughout.
 *   <li>S6: {@link MemorySampler} on bluegreen's processes during the S2 phase and the S3 drains.
 * </ul>
 *
 * <p>Arguments: {@code --scale N} (default 50), {@code --reps N} (5), {@code --load-seconds N} (60),
 * {@code --backlog-seconds N} (60), {@code --contenders a,b} (default {@code bluegreen,native}; {@code jdbcsink} adds the Debezium JDBC sink on a Connect worker, S2 and s3stall only;
 * {@code bluegreen-split} runs bluegreen as {@code run --role capture} beside {@code run --role apply}, and S3 stops only the apply process),
 * {@code --warmup-seconds N} (45 s: untimed pgbench load at the start of each S2 phase, every contender alike; a fresh `bluegreen run` spends its first ~30 s of CPU compiling with C2, so S2 measures a pipeline that has run for a minute, and S3 measures the cold start),
 * {@code --scenarios s2,s3,s3stall} (default all three; without s3 there is no "no replication running" tps),
 * {@code --jfr} (record bluegreen's process with JFR and summarise its execution samples in the notes),
 * {@code --perf} (a system-wide {@code perf record} over each S3 drain: green's processes by function and the
 * machine by command in the notes, {@link DrainPerf}),
 * {@code --nice N} (start bluegreen's processes under {@code nice -n N}, e.g. -10 as root: the pipeline's CPU share
 * on a box it shares with blue's load, as if it ran on a machine of its own; default none).
 * Results: {@code bench/target/results/s2-streaming-*.json|md}, {@code s3-catchup-*}, {@code s6-memory-*}.
 */
public final class StreamingBench {

    private static final String DB = "stream";
    private static final long DRAIN_TIMEOUT_SECONDS = 1800;

    private final Path work;
    private final int loadSeconds;
    private final int backlogSeconds;
    private final int warmupSeconds;
    /** How long {@link ThreadTimeline} samples from the start of S2's timed load, s. */
    private static final long TIMELINE_SECONDS = 8;
    private final StreamPair pair;
    private final StreamingResults results;
    private final List<Path> s2Recordings = new ArrayList<>();
    private final List<Path> s3Recordings = new ArrayList<>();
    private boolean perf;

    private StreamingBench(Path work, int loadSeconds, int backlogSeconds, int warmupSeconds,
                           StreamPair pair, List<String> contenders) {
        this.warmupSeconds = warmupSeconds;
        this.work = work;
        this.loadSeconds = loadSeconds;
        this.backlogSeconds = backlogSeconds;
        this.pair = pair;
        this.results = new StreamingResults(contenders);
    }

    public static void main(String[] args) throws Exception {
        int scale = intArg(args, "--scale", 50);
        int reps = intArg(args, "--reps", 5);
        int load = intArg(args, "--load-seconds", 60);
        int backlog = intArg(args, "--backlog-seconds", 60);
        int warmup = intArg(args, "--warmup-seconds", 45);
        List<String> names = List.of(stringArg(args, "--contenders", "bluegreen,native").split(","));
        boolean jfr = List.of(args).contains("--jfr");
        Integer nice = List.of(args).contains("--nice") ? intArg(args, "--nice", 0) : null;
        Path root = Path.of(System.getProperty("bluegreen.project.root", ".")).toAbsolutePath().normalize();
        Path work = root.resolve("bench/target/streaming-work");
        deleteTree(work);
        Files.createDirectories(work);
        try (LocalPostgres blue = LocalPostgres.start("bench-str-blue");
             LocalPostgres green = LocalPostgres.start("bench-str-green")) {
            StreamPair pair = new StreamPair(blue, green, DB, work);
            long t0 = System.nanoTime();
            pair.setUp(scale);
            System.out.printf(Locale.ROOT, "pair ready: pgbench -i -s %d on both in %.0f s%n", scale,
                    (System.nanoTime() - t0) / 1e9);
            StreamingBench bench = new StreamingBench(work, load, backlog, warmup, pair, names);
            bench.perf = List.of(args).contains("--perf");
            List<Contender> contenders = contenders(names, root, pair, jfr, nice);
            StreamingResults r = bench.results;
            String jvm = "JVM options " + String.join(" ", BenchSupport.jvmOptions(root, "run")) + " (jvm.options)"
                    + (nice == null ? "" : ", processes under nice -n " + nice);
            r.s2.parameter("scale", scale).parameter("runs", reps).parameter("load s", load).parameter("untimed warm-up load s", warmup)
                        .parameter("pgbench", "-c 4 -j 2").parameter("probe every ms", Probe.WRITE_INTERVAL_MS)
                        .parameter("bluegreen", "heartbeat-interval-ms 100, snapshot never, " + jvm);
            r.s3.parameter("scale", scale).parameter("runs", reps).parameter("backlog s", backlog)
                    .parameter("pgbench", "-c 4 -j 2");
            r.s6.parameter("scale", scale).parameter("runs", reps).parameter("bluegreen", jvm)
                    .parameter("sampled every ms", MemorySampler.INTERVAL_MS);
            bench.repeat(reps, contenders, List.of(stringArg(args, "--scenarios", "s2,s3,s3stall").split(",")));
            bench.results.write(JfrSummary.summarize(bench.s2Recordings, 8), JfrSummary.summarize(bench.s3Recordings, 8));
        }
    }

    /**
     * The contenders by name. A further anchor (the Debezium JDBC sink on a Kafka Connect worker, built
     * on branch bench-jdbcsink) is added here as one more {@link Contender}; everything else follows.
     */
    static List<Contender> contenders(List<String> names, Path root, StreamPair pair, boolean jfr, Integer nice) {
        List<Contender> out = new ArrayList<>();
        for (String n : names) {
            switch (n) {
                case "bluegreen" -> out.add(new BluegreenContender(root, pair.blue, pair.green, pair.db,
                        StreamPair.TABLES, jfr, nice));
                case "bluegreen-split" -> out.add(new BluegreenContender(root, pair.blue, pair.green, pair.db,
                        StreamPair.TABLES, jfr, nice, true));
                case "native" -> out.add(new NativeContender(pair.blue, pair.green, pair.db));
                case "jdbcsink" -> out.add(new JdbcSinkContender(root, pair.blue, pair.green, pair.db));
                default -> throw new IllegalArgumentException("unknown contender '" + n + "'; known: bluegreen, bluegreen-split,"
                        + " native, jdbcsink");
            }
        }
        return out;
    }

    /** Runs every phase of every repetition; stops after the first failure (noted in the reports). */
    private void repeat(int reps, List<Contender> contenders, List<String> scenarios) {
        List<String> base = new ArrayList<>();
        for (String scenario : scenarios) {
            for (Contender c : contenders) {
                if (!scenario.equals("s3") || c.pausable()) {
                    base.add(scenario + "_" + c.name());
                }
            }
        }
        for (int rep = 1; rep <= reps; rep++) {
            List<String> order = new ArrayList<>(base);
            Collections.rotate(order, -(rep - 1));
            for (String phase : order) {
                String scenario = phase.substring(0, phase.indexOf('_'));
                Contender c = contenders.stream().filter(x -> phase.endsWith("_" + x.name())).findFirst().orElseThrow();
                String run = "r" + rep + "_" + phase;
                try {
                    Path dir = Files.createDirectories(work.resolve(run));
                    try {
                        switch (scenario) {
                            case "s2" -> streaming(c, run, dir);
                            case "s3" -> catchUp(c, run, dir);
                            case "s3stall" -> catchUpAfterStall(c, run, dir);
                            default -> throw new IllegalArgumentException("unknown scenario '" + scenario
                                    + "'; known: s2, s3, s3stall");
                        }
                    } finally {
                        c.close();
                    }
                    pair.verifyEqual(run);
                } catch (Exception e) {
                    System.out.println(run + " FAILED: " + e);
                    e.printStackTrace(System.out);
                    results.failed(run, e);
                    return; // green may no longer equal blue: later phases would measure nonsense
                }
            }
        }
    }

    /** One S2 phase: lag and tps under load, memory throughout. */
    private void streaming(Contender c, String run, Path dir) throws Exception {
        c.start(run, dir);
        // started now, its jstat processes (JVM starts) are up before the timed load; the window begins there
        MemorySampler sampler = MemorySampler.start(c);
        List<MemorySampler.Sample> samples;
        List<Double> lags;
        long unseen;
        StreamPair.PgbenchResult load;
        double drainMs;
        try {
            warmUnderLoad(c, run);
            sampler.window();
            try (Probe probe = Probe.start(pair, true)) {
                // which of the contender's threads are busy while S2's lag climbs in the first seconds
                ThreadTimeline timeline = ThreadTimeline.start(c, TIMELINE_SECONDS);
                load = pair.load(loadSeconds, "pgbench-" + run + ".log");
                probe.stopWriting();
                System.out.print(run + ": " + timeline.stop(dir.resolve("threads-start.csv"), 10));
                long hid = pair.blueMaxHid();
                StreamPair.Marker m = pair.mark("m_" + run);
                long t0 = System.nanoTime();
                StreamPair.Caught caught = pair.awaitMarker(m, hid, c, DRAIN_TIMEOUT_SECONDS);
                drainMs = (caught.doneNanos() - t0) / 1e6;
                probe.awaitVisible(60);
                lags = probe.lagsMs();
                probe.writeCsv(dir.resolve("probes.csv"));
                unseen = probe.unseen();
            }
        } finally {
            samples = sampler.stop();
        }
        results.streaming(c.name(), lags, unseen, load.tps(), drainMs);
        for (String label : labels(samples)) {
            results.memory("S2 streaming", label, samples, 0);
        }
        if (c instanceof BluegreenContender b) {
            s2Recordings.addAll(b.recordings());
        }
        System.out.printf(Locale.ROOT, "%s: tps %.0f, lag p50 %.0f ms, p99 %.0f ms, max %.0f ms (%d probes, %d unseen),"
                        + " drain after load %.0f ms%s%n", run, load.tps(), pct(lags, 50), pct(lags, 99), pct(lags, 100),
                lags.size(), unseen, drainMs, memoryLine(samples));
    }

    /**
     * A write reaching green, then {@code --warmup-seconds} of untimed load and its drain, for every contender alike:
     * a freshly started JVM pipeline met the load cold, and its lag in the first seconds (4-5 s in the smoke)
     * dominated a 20-s run's p99.
     */
    private void warmUnderLoad(Contender c, String run) throws Exception {
        Probe.warmUp(pair, c, 300);
        if (warmupSeconds > 0) {
            pair.load(warmupSeconds, "pgbench-warmup-" + run + ".log");
            StreamPair.Marker w = pair.mark("w_" + run);
            pair.awaitMarker(w, pair.blueMaxHid() - 1, c, DRAIN_TIMEOUT_SECONDS);
        }
    }

    /** One S3 phase: backlog with the consumer stopped, then the timed drain, memory during the drain. */
    private void catchUp(Contender c, String run, Path dir) throws Exception {
        c.start(run, dir);
        Probe.warmUp(pair, c, 300);
        c.pause();
        long hidBefore = pair.blueMaxHid(); // the backlog's history rows are above this
        StreamPair.PgbenchResult load;
        long probes;
        try (Probe probe = Probe.start(pair, false)) {
            load = pair.load(backlogSeconds, "pgbench-" + run + ".log");
            probes = probe.stopWriting();
        }
        StreamPair.Marker m = pair.mark("m_" + run);
        long rowChanges = StreamPair.backlogRowChanges(load, probes);
        MemorySampler sampler = MemorySampler.start(c);
        DrainPerf recording = perf ? DrainPerf.start(dir) : null;
        // what still runs (bluegreen-split's capture process and broker) counts from here, what the resume starts from its start
        DrainCpu cpu = DrainCpu.start(pair, c.processes());
        long t0 = System.nanoTime();
        c.resume();
        drain(c, run, m, hidBefore, rowChanges, load, t0, sampler, cpu, recording, StreamingResults.RESTARTED);
    }

    /**
     * One S3 phase of the other kind: a warm pipeline (an untimed warm-up load first, as in S2) whose green
     * stalls. The bench holds {@code LOCK TABLE ... IN EXCLUSIVE MODE} on green's replicated tables (reads go on,
     * every write waits: what a long maintenance statement or an overloaded green does) while {@code pgbench -T
     * BACKLOG} runs on blue, writes the marker, then releases the lock and times the drain. Nothing is stopped:
     * native replication's apply worker waits on the lock (its walsender stops sending once the socket is full,
     * and blue keeps the WAL), bluegreen's sink waits on it while Debezium goes on capturing into Kafka.
     */
    private void catchUpAfterStall(Contender c, String run, Path dir) throws Exception {
        c.start(run, dir);
        warmUnderLoad(c, run);
        long hidBefore = pair.blueMaxHid();
        StreamPair.PgbenchResult load;
        long rowChanges;
        StreamPair.Marker m;
        DrainCpu cpu;
        DrainPerf recording = null;
        long t0;
        // started before the backlog, so that its jstat processes (JVM starts) are not part of the drain
        MemorySampler sampler = MemorySampler.start(c);
        try (java.sql.Connection lock = pair.green.connect(pair.db); java.sql.Statement st = lock.createStatement()) {
            lock.setAutoCommit(false);
            st.execute("LOCK TABLE " + String.join(", ", StreamPair.TABLES) + " IN EXCLUSIVE MODE");
            // what the running contender spends while green is locked: for bluegreen, a warm capture of the backlog
            Map<Contender.Proc, Map<String, Double>> stall0 = new java.util.LinkedHashMap<>();
            for (Contender.Proc p : c.processes()) {
                stall0.put(p, dev.bluegreen.bench.report.ProcessCpu.threadsByName(p.pid()));
            }
            try (Probe probe = Probe.start(pair, false)) {
                load = pair.load(backlogSeconds, "pgbench-" + run + ".log");
                rowChanges = StreamPair.backlogRowChanges(load, probe.stopWriting());
            }
            m = pair.mark("m_" + run);
            for (Map.Entry<Contender.Proc, Map<String, Double>> e : stall0.entrySet()) {
                drainNote(run, e.getKey().label() + " CPU us per row change of the backlog by thread, during the"
                        + " stall (green locked)", DrainCpu.perRowLine(
                                DrainCpu.threadsSince(e.getValue(), e.getKey().pid(), 8), rowChanges));
            }
            recording = perf ? DrainPerf.start(dir) : null;
            cpu = DrainCpu.start(pair, c.processes());
            sampler.window();
            t0 = System.nanoTime();
            lock.rollback(); // releases the lock: the drain starts
        } catch (Exception e) {
            sampler.stop();
            if (recording != null) {
                recording.stop();
            }
            throw e;
        }
        drain(c, run, m, hidBefore, rowChanges, load, t0, sampler, cpu, recording, StreamingResults.STALLED);
    }

    /** The timed part of an S3 phase, from {@code t0} (resume, or the stall's end) until green holds the marker. */
    private void drain(Contender c, String run, StreamPair.Marker m, long hidBefore, long rowChanges,
                       StreamPair.PgbenchResult load, long t0, MemorySampler sampler, DrainCpu cpu,
                       DrainPerf recording, String variant)
            throws Exception {
        List<MemorySampler.Sample> samples;
        StreamPair.Caught caught;
        List<Contender.Proc> procs;
        try {
            caught = pair.awaitMarker(m, hidBefore, c, DRAIN_TIMEOUT_SECONDS);
            procs = c.processes(); // bluegreen's broker is started by its run: read its pid now
            for (Contender.Proc p : procs) {
                drainNote(run, p.label() + " CPU us per row change by thread",
                        DrainCpu.perRowLine(cpu.threads(p.pid(), 12), rowChanges));
            }
        } finally {
            samples = sampler.stop();
            cpu.stopSampling();
            if (recording != null) {
                recording.stop();
            }
        }
        java.util.Map<String, Double> cpuSeconds = cpu.stop(procs);
        if (recording != null) {
            for (long pid : cpu.busiestGreen(2)) {
                drainNote(run, String.format(Locale.ROOT, "perf, green's %s (%.1f us per row change) by function",
                        cpu.label(pid), cpu.greenSeconds(pid) * 1e6 / rowChanges), recording.functions(pid, 20));
            }
            drainNote(run, "perf, the machine's samples by command and object", recording.machine(15));
        }
        drainNote(run, "green PostgreSQL CPU us per row change by process",
                DrainCpu.perRowLine(cpu.greenByProcess(), rowChanges));
        drainNote(run, "green's active sessions at the " + DrainCpu.SAMPLE_MS + " ms samples",
                cpu.greenActivity().toString());
        // how many transactions the contender's apply took: green's commits less the marker polls (one each) and the
        // sampler's; an idle backend reports its counts up to 10 s late, so wait that out (untimed)
        Thread.sleep(11_000);
        long commits = cpu.greenCommits() - caught.polls() - cpu.samplerQueries();
        drainNote(run, "green transactions of the apply during the drain", String.format(Locale.ROOT,
                "%d, %.0f row changes each", commits, rowChanges / (double) Math.max(1, commits)));
        results.drainCpu(c.name(), variant, rowChanges, cpuSeconds);
        double total = (caught.doneNanos() - t0) / 1e9;
        double first = (caught.firstNanos() - t0) / 1e9;
        results.catchUp(c.name(), variant, rowChanges, load.tps(), total, first);
        long drainMs = Math.round(total * 1000);
        for (String label : labels(samples)) {
            results.memory("S3 drain" + variant, label, samples, drainMs);
        }
        if (c instanceof BluegreenContender b) {
            s3Recordings.addAll(b.recordings());
        }
        System.out.printf(Locale.ROOT, "%s: backlog %d row changes (%d transactions at %.0f tps), caught up in %.1f s"
                        + " (first backlog row after %.1f s): %.0f row changes/s%s; CPU us per row change: %s%n", run,
                rowChanges, load.transactions(), load.tps(), total, first, rowChanges / total, memoryLine(samples),
                DrainCpu.perRowLine(cpuSeconds, rowChanges));
    }

    /** One line about an S3 drain, on the console and in the S3 report's notes. */
    private void drainNote(String run, String what, String line) {
        System.out.println(run + ": " + what + ": " + line);
        results.note3(what + " (" + run + "): " + line);
    }

    private static List<String> labels(List<MemorySampler.Sample> samples) {
        return samples.stream().map(MemorySampler.Sample::label).distinct().toList();
    }

    private static String memoryLine(List<MemorySampler.Sample> samples) {
        StringBuilder sb = new StringBuilder();
        for (String label : labels(samples)) {
            sb.append(String.format(Locale.ROOT, "; %s peak RSS %.0f MiB, peak heap %.0f MiB", label,
                    MemorySampler.peakRss(samples, label), MemorySampler.peakHeap(samples, label)));
        }
        return sb.toString();
    }

    private static double pct(List<Double> v, double p) {
        return dev.bluegreen.bench.report.BenchReport.percentile(v, p);
    }

}
