package dev.bluegreen.bench.streaming;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lag probe: a writer thread inserts one row into blue's {@code bench_probe} every 100 ms (its own
 * connection, autocommit) and notes when each commit returned; a poller thread reads green's highest
 * {@code id} every ~10 ms and notes when each id became visible. Lag of a row = visible on green minus
 * commit returned on blue, both from this JVM's {@link System#nanoTime} (same clock, same box), so a
 * figure is too high by at most the 10 ms poll period plus one query. Ids continue from blue's highest.
 *
 * <p>Lifecycle: {@link #start}, {@link #stopWriting}, then {@link #awaitVisible} (measuring probes) and
 * {@link #close}. The maps are written by the two threads and read after they stopped.
 */
final class Probe implements AutoCloseable {

    /** Interval between two probe writes, ms. */
    static final long WRITE_INTERVAL_MS = 100;

    private final Connection blue;
    private final Connection green;
    private final AtomicLong nextId;
    private final long firstId;
    private final ConcurrentHashMap<Long, Long> committedNanos = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Long> visibleNanos = new ConcurrentHashMap<>();
    private final Thread writer;
    private final Thread poller;
    private volatile boolean writing = true;
    private volatile boolean polling = true;
    private volatile Throwable failure;

    private Probe(Connection blue, Connection green, boolean measure) throws SQLException {
        this.blue = blue;
        this.green = green;
        try (Statement st = blue.createStatement(); ResultSet rs = st.executeQuery("SELECT max(id) FROM bench_probe")) {
            rs.next();
            firstId = rs.getLong(1) + 1;
        }
        nextId = new AtomicLong(firstId);
        writer = new Thread(this::write, "probe-writer");
        poller = measure ? new Thread(this::poll, "probe-poller") : null;
    }

    /**
     * Opens both connections and starts the threads.
     *
     * @param measure whether to poll green (false: only write, as load during a backlog)
     */
    static Probe start(StreamPair pair, boolean measure) throws SQLException {
        Probe p = new Probe(pair.blue.connect(pair.db), pair.green.connect(pair.db), measure);
        p.writer.start();
        if (p.poller != null) {
            p.poller.start();
        }
        return p;
    }

    private void write() {
        try (PreparedStatement ps = blue.prepareStatement("INSERT INTO bench_probe VALUES (?, clock_timestamp())")) {
            long next = System.nanoTime();
            while (writing) {
                long id = nextId.get();
                ps.setLong(1, id);
                ps.executeUpdate();
                committedNanos.put(id, System.nanoTime());
                nextId.incrementAndGet();
                next += TimeUnit.MILLISECONDS.toNanos(WRITE_INTERVAL_MS);
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
            }
        } catch (SQLException | InterruptedException | RuntimeException e) {
            failure = e;
        }
    }

    private void poll() {
        long seen = firstId - 1;
        try (PreparedStatement ps = green.prepareStatement("SELECT coalesce(max(id), 0) FROM bench_probe")) {
            while (polling) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long max = rs.getLong(1);
                    long now = System.nanoTime();
                    for (long id = seen + 1; id <= max; id++) {
                        visibleNanos.put(id, now);
                    }
                    seen = Math.max(seen, max);
                }
                Thread.sleep(10);
            }
        } catch (SQLException | InterruptedException | RuntimeException e) {
            failure = e;
        }
    }

    /** Stops the writer; returns the number of probe rows written. */
    long stopWriting() throws InterruptedException {
        writing = false;
        writer.join();
        throwIfFailed();
        return committedNanos.size();
    }

    /** Waits (at most {@code timeoutSeconds}) until the poller saw every probe written. */
    void awaitVisible(long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (visibleNanos.size() < committedNanos.size() && System.nanoTime() < deadline) {
            throwIfFailed();
            Thread.sleep(20);
        }
    }

    /** Lag of every probe seen on green, ms, in id order. */
    List<Double> lagsMs() {
        List<Double> out = new ArrayList<>();
        for (long id = firstId; id < nextId.get(); id++) {
            Long c = committedNanos.get(id);
            Long v = visibleNanos.get(id);
            if (c != null && v != null) {
                out.add((v - c) / 1e6);
            }
        }
        return out;
    }

    /**
     * Writes {@code id,committed_ms,lag_ms} per probe (committed_ms since the first probe; lag empty when
     * never seen), for looking at the lag over time.
     */
    void writeCsv(java.nio.file.Path file) throws java.io.IOException {
        StringBuilder sb = new StringBuilder("id,committed_ms,lag_ms\n");
        Long first = committedNanos.get(firstId);
        for (long id = firstId; id < nextId.get(); id++) {
            Long c = committedNanos.get(id);
            Long v = visibleNanos.get(id);
            if (c != null && first != null) {
                sb.append(id).append(',').append((c - first) / 1_000_000).append(',')
                        .append(v == null ? "" : String.format(java.util.Locale.ROOT, "%.1f", (v - c) / 1e6)).append('\n');
            }
        }
        java.nio.file.Files.writeString(file, sb);
    }

    /** Probes written but never seen on green. */
    long unseen() {
        return committedNanos.keySet().stream().filter(id -> !visibleNanos.containsKey(id)).count();
    }

    private void throwIfFailed() {
        if (failure != null) {
            throw new IllegalStateException("the probe failed: " + failure, failure);
        }
    }

    /**
     * Waits until a write on blue reaches green: updates probe row 0 (every second anew; writes made
     * before the contender's slot existed are never replicated, a later one is) until green shows the
     * value last written.
     *
     * @throws IllegalStateException when nothing arrives within {@code timeoutSeconds} or the contender stopped
     */
    static void warmUp(StreamPair pair, Contender contender, long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        try (Connection b = pair.blue.connect(pair.db); Connection g = pair.green.connect(pair.db);
             PreparedStatement w = b.prepareStatement("UPDATE bench_probe SET written_at = clock_timestamp()"
                     + " WHERE id = 0 RETURNING written_at::text");
             PreparedStatement r = g.prepareStatement("SELECT written_at::text FROM bench_probe WHERE id = 0")) {
            while (System.nanoTime() < deadline) {
                String written;
                try (ResultSet rs = w.executeQuery()) {
                    rs.next();
                    written = rs.getString(1);
                }
                for (int i = 0; i < 50; i++) {
                    try (ResultSet rs = r.executeQuery()) {
                        if (rs.next() && written.equals(rs.getString(1))) {
                            return;
                        }
                    }
                    contender.checkHealthy();
                    Thread.sleep(20);
                }
            }
        }
        throw new IllegalStateException(contender.name() + ": no write on blue reached green within "
                + timeoutSeconds + " s");
    }

    @Override
    public void close() throws Exception {
        writing = false;
        polling = false;
        writer.join();
        if (poller != null) {
            poller.join();
        }
        blue.close();
        green.close();
    }
}
