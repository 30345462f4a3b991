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
 * {@code run} JVM and its broker: started by a resume, their figure includes their start-up; already running
 * after a stall, it counts from the first reading), and the
 * whole machine, from {@link ProcessCpu} ({@code /proc}), read at resume and when green caught up; green's
 * backends and {@code pg_stat_activity} are also sampled every {@value #SAMPLE_MS} ms in between, on a thread of
 * its own that {@link #stopSampling} ends. Not thread-safe; one per drain.
 */
final class DrainCpu {

    private final StreamPair pair;
    private final double blue0;
    private final double green0;
    private final double machine0;

    /** CPU seconds of the processes already running at the first reading, by pid. */
    private final Map<Long, Double> process0 = new java.util.HashMap<>();
    /** Their threads' CPU seconds at the first reading, by pid, then by thread name as {@link #threads} folds it. */
    private final Map<Long, Map<String, Double>> threads0 = new java.util.HashMap<>();

    private DrainCpu(StreamPair pair, List<Contender.Proc> running) {
        this.pair = pair;
        for (Contender.Proc p : running) {
            process0.put(p.pid(), ProcessCpu.seconds(p.pid(), false));
            threads0.put(p.pid(), ProcessCpu.threadsByName(p.pid()));
        }
        this.commits0 = greenCommits(pair);
        this.blue0 = server(pair.blue);
        this.green0 = server(pair.green);
        this.machine0 = ProcessCpu.machineSeconds();
        startSampler();
    }

    /**
     * Takes the first reading (call right before the drain starts).
     *
     * @param running the contender's processes that already run (a warm pipeline): their CPU counts from now;
     *     processes started later (a resume) count from their start
     */
    static DrainCpu start(StreamPair pair, List<Contender.Proc> running) {
        return new DrainCpu(pair, running);
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
                out.put(p.label(), ProcessCpu.seconds(p.pid(), false) - process0.getOrDefault(p.pid(), 0.0));
            } catch (UncheckedIOException gone) {
                // the process ended before the reading: nothing to attribute
            }
        }
        out.put("machine", ProcessCpu.machineSeconds() - machine0);
        return out;
    }

    /**
     * The CPU seconds of each thread group of a process since the first reading, or since its start when it
     * started later ({@code /proc/PID/task/TID/comm}, digits folded to N so that "GC Thread#0" and "GC Thread#1"
     * add up), highest first, at most {@code top}; the threads that ended before the reading are not in it.
     */
    Map<String, Double> threads(long pid, int top) {
        return threadsSince(threads0.getOrDefault(pid, Map.of()), pid, top);
    }

    /**
     * Like {@link #threads}, from an earlier {@link ProcessCpu#threadsByName} reading of the same process.
     *
     * @param before CPU seconds by folded thread name at the earlier reading
     */
    static Map<String, Double> threadsSince(Map<String, Double> before, long pid, int top) {
        Map<String, Double> now = new java.util.HashMap<>();
        ProcessCpu.threadsByName(pid).forEach((name, sec) -> now.put(name, Math.max(0, sec - before.getOrDefault(name, 0.0))));
        Map<String, Double> out = new LinkedHashMap<>();
        now.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(top)
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /**
     * Green's CPU in the window by process title ({@code /proc/PID/cmdline} of the postmaster's children, digits
     * folded to N: "postgres: postgres bench 127.0.0.N(N) idle", "postgres: autovacuum worker bench"; a client
     * backend's {@code application_name} from {@code pg_stat_activity} in brackets, so that the contender's sessions
     * and the bench's own polls add up apart), highest
     * first, at most 10. Children are sampled every {@value #SAMPLE_MS} ms during the window, so one that ran and
     * ended between two readings is counted up to its last sample ("exited, unsampled" holds the rest: what the
     * postmaster reaped beyond that).
     */
    Map<String, Double> greenByProcess() {
        Map<String, Double> byTitle = new java.util.HashMap<>();
        double sampled = 0;
        for (Map.Entry<Long, String> e : titles.entrySet()) {
            double used = last.get(e.getKey()) - first.get(e.getKey());
            byTitle.merge(label(e.getKey()), used, Double::sum);
            if (exitedPids.contains(e.getKey())) {
                sampled += used;
            }
        }
        double reaped = ProcessCpu.reapedChildrenSeconds(postmaster(pair.green)) - reaped0;
        byTitle.put("exited, unsampled", Math.max(0, reaped - sampled));
        Map<String, Double> out = new LinkedHashMap<>();
        byTitle.entrySet().stream().filter(e -> e.getValue() > 0.005)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(10)
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** Green's {@code n} busiest children in the window (CPU seconds, highest first), by pid. */
    List<Long> busiestGreen(int n) {
        return titles.keySet().stream()
                .sorted(java.util.Comparator.comparingDouble((Long pid) -> last.get(pid) - first.get(pid)).reversed())
                .limit(n).toList();
    }

    /** A green child's label: its process title and, when it set one, its {@code application_name}. */
    String label(long pid) {
        String app = applications.get(pid);
        String title = titles.getOrDefault(pid, "pid " + pid);
        return app == null || app.isEmpty() ? title : title + " [" + app + "]";
    }

    /** A green child's CPU seconds in the window. */
    double greenSeconds(long pid) {
        return last.getOrDefault(pid, 0.0) - first.getOrDefault(pid, 0.0);
    }

    /** Ends the sampling of green (idempotent); call on every path, before {@link #greenByProcess}. */
    void stopSampling() {
        if (sampler.isAlive()) {
            sampler.interrupt();
            try {
                sampler.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sampleGreen();
        }
    }

    /** What green's active sessions were doing at the samples: backend type and query start, with their counts. */
    Map<String, Integer> greenActivity() {
        Map<String, Integer> out = new LinkedHashMap<>();
        activity.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(6)
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    static final long SAMPLE_MS = 250;

    private final Map<Long, String> titles = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Long, Double> first = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Long, Double> last = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Set<Long> exitedPids = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> activity = new java.util.concurrent.ConcurrentHashMap<>();
    /** {@code application_name} of green's backends, by pid, as the sampler last saw it. */
    private final Map<Long, String> applications = new java.util.concurrent.ConcurrentHashMap<>();
    private double reaped0;
    private final long commits0;
    private final java.util.concurrent.atomic.AtomicLong samplerQueries = new java.util.concurrent.atomic.AtomicLong();

    /** Queries the green sampler ran so far (each one transaction on green). */
    long samplerQueries() {
        return samplerQueries.get();
    }

    /**
     * Transactions committed in green's bench database since the first reading ({@code pg_stat_database.xact_commit};
     * every other session's bench polls count too). A backend reports its counts at most once a second, and an idle
     * one up to 10 s later ({@code PGSTAT_IDLE_INTERVAL}): call it 11 s or more after the last transaction to count.
     */
    long greenCommits() {
        return greenCommits(pair) - commits0;
    }

    private static long greenCommits(StreamPair pair) {
        try (java.sql.Connection c = pair.green.connect(pair.db); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT pg_stat_force_next_flush(), xact_commit FROM pg_stat_database"
                     + " WHERE datname = current_database()")) {
            rs.next();
            return rs.getLong(2);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot read green's commit count: " + e.getMessage(), e);
        }
    }
    private Thread sampler;

    private void startSampler() {
        reaped0 = ProcessCpu.reapedChildrenSeconds(postmaster(pair.green));
        sampleGreen(); // children alive now count from here, those born later from zero
        first.putAll(last);
        sampler = new Thread(() -> {
            try (java.sql.Connection c = pair.green.connect(pair.db); java.sql.PreparedStatement ps = c.prepareStatement(
                    "SELECT pid, application_name, state = 'active' AND pid <> pg_backend_pid(), backend_type,"
                            + " coalesce(left(regexp_replace(query, '\\s+', ' ', 'g'), 70), '') FROM pg_stat_activity")) {
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("SET application_name = 'bench drain sampler'");
                }
                while (!Thread.currentThread().isInterrupted()) {
                    sampleGreen();
                    samplerQueries.incrementAndGet();
                    try (java.sql.ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            applications.put(rs.getLong(1), rs.getString(2) == null ? "" : rs.getString(2));
                            if (rs.getBoolean(3)) {
                                activity.merge(rs.getString(4) + ": " + rs.getString(5), 1, Integer::sum);
                            }
                        }
                    }
                    Thread.sleep(SAMPLE_MS);
                }
            } catch (InterruptedException e) {
                // stopped
            } catch (java.sql.SQLException e) {
                activity.merge("sampler failed: " + e.getMessage(), 1, Integer::sum);
            }
        }, "drain-cpu-green-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sampleGreen() {
        java.util.Set<Long> alive = ProcessCpu.children(postmaster(pair.green));
        for (long child : alive) {
            try {
                String title = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + child + "/cmdline"))
                        .replace('\0', ' ').trim().replaceAll("[0-9]+", "N");
                double cpu = ProcessCpu.seconds(child, false);
                titles.putIfAbsent(child, title);
                first.putIfAbsent(child, 0.0);
                last.put(child, cpu);
            } catch (java.io.IOException | UncheckedIOException gone) {
                // ended meanwhile
            }
        }
        for (Long pid : titles.keySet()) {
            if (!alive.contains(pid)) {
                exitedPids.add(pid);
            }
        }
    }

    /** {@code label value} pairs in microseconds per row change, for the console. */
    static String perRowLine(Map<String, Double> cpuSeconds, long rowChanges) {
        StringJoiner j = new StringJoiner(", ");
        cpuSeconds.forEach((label, sec) -> j.add(String.format(Locale.ROOT, "%s %.1f", label, sec * 1e6 / rowChanges)));
        return j.toString();
    }

    private static double server(dev.bluegreen.testkit.LocalPostgres server) {
        return ProcessCpu.seconds(postmaster(server), true);
    }

    private static long postmaster(dev.bluegreen.testkit.LocalPostgres server) {
        return ProcessCpu.pidFile(server.dataDir().resolve("postmaster.pid"));
    }
}
