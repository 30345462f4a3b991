package dev.bluegreen.bench.anchor;

import static dev.bluegreen.bench.report.BenchSupport.deleteTree;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.bluegreen.cli.kafka.EmbeddedKafkaBroker;
import dev.bluegreen.testkit.LocalPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * The anchor most teams build by hand: Debezium's PostgreSQL source connector and the Debezium JDBC sink
 * connector on a real Kafka Connect worker (standalone mode, its own JVM; see {@link ConnectWorker}),
 * through a real Kafka broker ({@link EmbeddedKafkaBroker}, its own JVM), from blue's tables into the
 * identical, pre-created tables of green.
 *
 * <p>Source: {@code pgoutput}, a slot and a publication of its own per start ({@code bench_jdbc_<id>},
 * publication created for the captured tables only), JSON converter with schemas, {@code
 * decimal.handling.mode=precise} (Connect {@code Decimal}, which the JDBC sink maps back to {@code numeric}).
 * Sink: {@code insert.mode=upsert}, {@code delete.enabled=true}, {@code primary.key.mode=record_key},
 * {@code schema.evolution=none}, {@code collection.name.format=${source.schema}.${source.table}} (topic
 * to the green table of the same name), {@code batch.size} = consumer {@code max.poll.records} =
 * {@link ConnectJdbcSinkConfig#sinkBatchSizeRows()}. One partition per topic, one task each.
 *
 * <p>Lifecycle: {@link #start} (broker, worker, sink connector RUNNING, then the source connector, whose
 * creation is the time origin, RUNNING with its slot active) → {@link #awaitRows} / {@link #awaitInSync}
 * → {@link #close()}. Start-up (10-30 s on two shared cores) is before the origin and not part of any figure.
 *
 * <p>Usage (S1, the snapshot of {@code pgbench_accounts}):
 * <pre>{@code
 * var config = ConnectJdbcSinkConfig.defaults(root, root.resolve("bench/target/jdbc-sink"), Mode.SNAPSHOT,
 *         List.of("public.pgbench_accounts"));
 * try (ConnectJdbcSink anchor = ConnectJdbcSink.start(config, blue, "s1", green, "s1")) {
 *     Duration took = anchor.awaitRows("public.pgbench_accounts", 100_000 * scale, Duration.ofMinutes(30));
 *     anchor.checkInSync();   // green's checksum equals blue's, else IllegalStateException
 * }
 * }</pre>
 *
 * <p>Usage (S2, streaming): pre-load both sides identically (e.g. {@code pgbench -i -s N} on each, plus the
 * heartbeat table), start with {@code Mode.STREAMING} and the heartbeat table among {@code tables}; once
 * {@link #start} returns, a row committed on blue reaches green's table of the same name.
 *
 * <p>Thread-safety: one thread drives {@link #start}, the waits and {@link #close()};
 * {@link #topicRecords}, {@link #workerCpuTime()} and {@link #brokerCpuTime()} may be called from any thread
 * meanwhile. {@link #close()} is idempotent. Should this JVM exit without it, the shutdown hooks of the
 * broker and the worker stop those processes (the slot then stays on blue, which is throwaway).
 */
public final class ConnectJdbcSink implements AutoCloseable {

    /** How long {@link #start} waits for each connector to be RUNNING (and the source's slot active). */
    public static final Duration CONNECTOR_READY_TIMEOUT = Duration.ofSeconds(120);

    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration STATUS_EVERY = Duration.ofSeconds(2);
    private static final String SOURCE = "blue-source";
    private static final String SINK = "green-jdbc-sink";

    private final ConnectJdbcSinkConfig config;
    private final EmbeddedKafkaBroker broker;
    private final ConnectWorker worker;
    private final LocalPostgres blue;
    private final String blueDb;
    private final LocalPostgres green;
    private final String greenDb;
    private final String slot;
    private final long sourceStartedNanos;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ConnectJdbcSink(ConnectJdbcSinkConfig config, EmbeddedKafkaBroker broker, ConnectWorker worker,
                            LocalPostgres blue, String blueDb, LocalPostgres green, String greenDb, String slot,
                            long sourceStartedNanos) {
        this.config = config;
        this.broker = broker;
        this.worker = worker;
        this.blue = blue;
        this.blueDb = blueDb;
        this.green = green;
        this.greenDb = greenDb;
        this.slot = slot;
        this.sourceStartedNanos = sourceStartedNanos;
    }

    /**
     * Wipes {@code config.workDir()} (stopping a broker or worker a killed parent left there), starts the
     * broker and the worker, creates one topic per table, the sink connector (waits until RUNNING), then
     * the source connector (the time origin of {@link #awaitRows}) and waits until it is RUNNING with its
     * replication slot active: from then on, every change committed on blue reaches green.
     *
     * @param blue the source server; the slot and publication are created in {@code blueDb}
     * @param green the target server; the tables must exist in {@code greenDb} (empty for a snapshot,
     *     equal to blue's for {@link ConnectJdbcSinkConfig.Mode#STREAMING})
     * @return the running anchor; the caller must {@link #close()} it
     * @throws IllegalStateException if the worker class path file is missing, a process does not start,
     *     or a connector fails or is not ready in time (the message names it, its trace and the worker
     *     log); nothing is left running
     * @throws UncheckedIOException if the work folder cannot be written
     */
    public static ConnectJdbcSink start(ConnectJdbcSinkConfig config, LocalPostgres blue, String blueDb,
                                        LocalPostgres green, String greenDb) {
        requireNonNull(config, "config is null");
        String classPath = readClassPath(config.workerClassPathFile());
        String slot = "bench_jdbc_" + Long.toString(System.currentTimeMillis(), 36);
        Path work = config.workDir().toAbsolutePath().normalize();
        EmbeddedKafkaBroker broker = null;
        ConnectWorker worker = null;
        try {
            ConnectWorker.stopStale(work.resolve("connect"));
            EmbeddedKafkaBroker.stopLeftover(work);
            deleteTree(work);
            broker = EmbeddedKafkaBroker.start(work);
            AnchorTopics.create(broker.bootstrapServers(), config.tables().stream().map(t -> slot + "." + t).toList());
            worker = ConnectWorker.start(work.resolve("connect"), classPath, broker.bootstrapServers(),
                    config.workerMaxHeapMb());
            worker.putConnector(SINK, ConnectorConfigs.sink(config, slot, green, greenDb));
            ConnectorStatus.awaitRunning(worker, SINK, null);
            long origin = System.nanoTime();
            worker.putConnector(SOURCE, ConnectorConfigs.source(config, slot, blue, blueDb));
            ConnectorStatus.awaitRunning(worker, SOURCE, () -> ReplicationSlot.active(blue, blueDb, slot));
            return new ConnectJdbcSink(config, broker, worker, blue, blueDb, green, greenDb, slot, origin);
        } catch (IOException | RuntimeException e) {
            if (worker != null) {
                worker.stop();
            }
            if (broker != null) {
                broker.close();
            }
            ReplicationSlot.drop(blue, blueDb, slot);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("starting the Connect anchor in " + work + " failed", io);
            }
            throw (RuntimeException) e;
        }
    }

    /**
     * Waits until {@code greenTable} holds at least {@code rows} rows ({@code count(*)} every 100 ms), and
     * checks the worker and both connectors every 2 s.
     *
     * @param greenTable {@code schema.table} in green
     * @return the time from the source connector's creation until the count was reached (resolution 100 ms
     *     plus one count)
     * @throws IllegalStateException if the timeout passes (the message holds the count), the worker exits
     *     or a connector or task fails (its trace and the worker log path are in the message)
     */
    public Duration awaitRows(String greenTable, long rows, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastStatus = System.nanoTime();
        long count = -1;
        try (Connection c = green.connect(greenDb); PreparedStatement st = c.prepareStatement(
                "SELECT count(*) FROM " + greenTable)) {
            while (System.nanoTime() - deadline < 0) {
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    count = rs.getLong(1);
                }
                if (count >= rows) {
                    return Duration.ofNanos(System.nanoTime() - sourceStartedNanos);
                }
                if (System.nanoTime() - lastStatus > STATUS_EVERY.toNanos()) {
                    checkHealthy();
                    lastStatus = System.nanoTime();
                }
                ConnectWorker.sleep(POLL);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("counting the rows of " + greenTable + " in green failed", e);
        }
        throw new IllegalStateException(String.format(Locale.ROOT, "%s in green holds %,d of %,d rows after %s;"
                + " worker log %s", greenTable, count, rows, timeout, worker.log()));
    }

    /**
     * Waits until every captured table has the same {@link TableChecksum} on green as on blue (both read
     * every 250 ms, blue first), checking the worker and connectors every 2 s. Meant for after blue's
     * writes have stopped. Each poll scans every captured table on both sides (about 0.1 s per 100k rows):
     * for large tables, a heartbeat row is the better probe.
     *
     * @return the time from this call until the checksums matched
     * @throws IllegalStateException if they still differ after {@code timeout} (both checksums are in the
     *     message), or the worker or a connector fails
     */
    public Duration awaitInSync(Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long lastStatus = start;
        String last = "";
        while (System.nanoTime() - deadline < 0) {
            last = differences();
            if (last.isEmpty()) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            if (System.nanoTime() - lastStatus > STATUS_EVERY.toNanos()) {
                checkHealthy();
                lastStatus = System.nanoTime();
            }
            ConnectWorker.sleep(Duration.ofMillis(250));
        }
        throw new IllegalStateException("green still differs from blue after " + timeout + ": " + last
                + "; worker log " + worker.log());
    }

    /**
     * Checks once that every captured table has the same {@link TableChecksum} on green as on blue.
     *
     * @throws IllegalStateException naming each table that differs, with both checksums
     */
    public void checkInSync() {
        String d = differences();
        if (!d.isEmpty()) {
            throw new IllegalStateException("WRONG DATA: green differs from blue: " + d + "; worker log " + worker.log());
        }
    }

    /** @return {@link System#nanoTime()} just before the source connector was created: the time origin */
    public long sourceStartedNanos() {
        return sourceStartedNanos;
    }

    /** @return the worker's output file ({@code workDir/connect/worker.log}) */
    public Path workerLog() {
        return worker.log();
    }

    /**
     * @return the CPU time the worker JVM has used since it started (user + system, all threads), or
     *     {@link Duration#ZERO} if the operating system does not tell
     */
    public Duration workerCpuTime() {
        return cpuTime(worker.pid());
    }

    /** @return the CPU time the broker JVM has used since it started, or {@link Duration#ZERO} if unknown */
    public Duration brokerCpuTime() {
        return cpuTime(broker.pid());
    }

    private static Duration cpuTime(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).orElse(Duration.ZERO);
    }

    /**
     * The number of records in the table's topic (its end offset; one partition): how far the source and
     * Kafka are, whatever the sink has written. Opens a short-lived admin client; for diagnostics, polled
     * no more than a few times a second.
     *
     * @param table {@code schema.table}, one of the config's tables
     * @throws IllegalStateException if the broker does not answer within 10 s
     */
    public long topicRecords(String table) {
        return AnchorTopics.records(broker.bootstrapServers(), slot + "." + table);
    }

    /** @return the replication slot (and publication) name on blue */
    public String slotName() {
        return slot;
    }

    /**
     * Stops the worker (SIGTERM, then SIGKILL after 30 s) and the broker by their process ids, drops the
     * slot and publication on blue, and deletes the topic data. Keeps {@code worker.log}. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            worker.stop();
        } finally {
            try {
                broker.close();
            } finally {
                ReplicationSlot.drop(blue, blueDb, slot);
                try {
                    deleteTree(broker.dataDir());
                } catch (IOException e) {
                    System.err.println("could not delete the anchor's topic data in " + broker.dataDir() + ": " + e);
                }
            }
        }
    }

    private String differences() {
        StringBuilder out = new StringBuilder();
        try (Connection b = blue.connect(blueDb); Connection g = green.connect(greenDb)) {
            for (String t : config.tables()) {
                TableChecksum bc = TableChecksum.of(b, t);
                TableChecksum gc = TableChecksum.of(g, t);
                if (!bc.equals(gc)) {
                    out.append(out.isEmpty() ? "" : "; ").append(t).append(" blue ").append(bc).append(" green ")
                            .append(gc);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the checksums of " + config.tables() + " failed", e);
        }
        return out.toString();
    }

    private void checkHealthy() {
        ConnectorStatus.checkHealthy(worker, List.of(SOURCE, SINK));
    }

    private static String readClassPath(Path file) {
        try {
            return Files.readString(file, UTF_8).trim();
        } catch (IOException e) {
            throw new IllegalStateException("the Connect worker's class path file " + file + " cannot be read (" + e
                    + "); build it with: bench/connect-worker/classpath.sh"
                    + " (the benches with the JDBC sink anchor run it)", e);
        }
    }

}
