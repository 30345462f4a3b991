package dev.bluegreen.cli.pipeline;

import com.zaxxer.hikari.HikariDataSource;
import dev.bluegreen.capture.BlueSetup;
import dev.bluegreen.capture.CaptureEngine;
import dev.bluegreen.capture.DebeziumProperties;
import dev.bluegreen.capture.SchemaHistoryFiles;
import dev.bluegreen.cli.kafka.EmbeddedKafkaBroker;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.control.ControlSchema;
import dev.bluegreen.core.dialect.postgres.PostgresDialect;
import dev.bluegreen.core.endpoint.Endpoints;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.core.event.envelope.DebeziumEnvelopeDecoder;
import dev.bluegreen.sink.SinkRunner;
import dev.bluegreen.sink.apply.GreenApplier;
import dev.bluegreen.sink.backfill.Backfill;
import dev.bluegreen.sink.backfill.BackfillStore;
import dev.bluegreen.sink.batch.BatchPlanner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running pipeline, or the part of it that its {@link Role} names: (embedded broker) → capture → Kafka → sink →
 * green. Opens everything in {@link #start}, closes everything in reverse order in {@link #close}, also when start
 * fails half-way. Thread-safe for {@link #checkHealthy()} and the counters.
 */
public final class Pipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private final PipelineConfig config;
    private final Role role;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private HikariDataSource blue;
    private HikariDataSource green;
    private CaptureEngine capture;
    private SinkRunner sink;
    private String bootstrap;
    private ValidatedPipeline validated;
    private final Backfill.Listener backfillListener;
    private volatile InitialCopy initialCopy;
    private Thread backfillThread;
    private final AtomicReference<Throwable> backfillFailure = new AtomicReference<>();
    private volatile boolean closed;
    private volatile boolean awaitingCopy;

    /** A pipeline for the config; nothing starts until {@link #start}. Backfill progress is only logged. */
    public Pipeline(PipelineConfig config) {
        this(config, new Backfill.Listener() { });
    }

    /**
     * A pipeline whose initial copy reports progress to the listener (e.g. progress bars).
     *
     * @param backfillListener called from the backfill's worker threads
     */
    public Pipeline(PipelineConfig config, Backfill.Listener backfillListener) {
        this(config, backfillListener, Role.ALL);
    }

    /**
     * A pipeline process that runs only the stages of {@code role}.
     *
     * @param backfillListener called from the backfill's worker threads (a process that captures)
     */
    public Pipeline(PipelineConfig config, Backfill.Listener backfillListener, Role role) {
        this.config = config;
        this.backfillListener = backfillListener;
        this.role = Objects.requireNonNull(role, "role is null");
    }

    /** The stages this process runs. */
    public Role role() {
        return role;
    }

    /**
     * Validates against the live schemas, prepares blue and green, and starts what the role runs: capture (after
     * blue's slot, publication and heartbeat table, the broker when embedded, the topics and the initial copy's plan)
     * and the sink. An apply process finds the embedded broker of the capture process on the same work dir and starts
     * its sink once green holds the initial copy.
     *
     * @throws dev.bluegreen.core.error.ConfigException when the config does not fit the schemas
     * @throws BluegreenException when a server or the broker cannot be reached (for an apply process with an
     *     embedded broker: when no capture process runs one on this work dir), or with CONFIG_INVALID when a
     *     split role is asked for with {@code capture.snapshot: initial}
     */
    public synchronized Pipeline start() {
        try {
            if (role != Role.ALL && "initial".equals(config.capture().snapshot())) {
                throw new BluegreenException(ErrorCode.CONFIG_INVALID, "--role " + role.name().toLowerCase(Locale.ROOT)
                        + " needs capture.snapshot copy or never: after a lost capture position, Debezium's own snapshot"
                        + " (initial) empties green's tables and resets the sink's offsets, which an apply process running"
                        + " beside it would race; run both in one process (--role all) or use capture.snapshot: copy");
            }
            blue = track(Endpoints.pool(config.blue(), config.name() + "-blue", 4, ErrorCode.BLUE_UNAVAILABLE));
            green = track(Endpoints.pool(config.green(), config.name() + "-green", 4, ErrorCode.GREEN_UNAVAILABLE));
            validated = PipelineValidator.validate(config, blue, green);
            ControlSchema.migrate(green);
            Progress.initialize(config, blue, green);
            List<String> topics = DebeziumProperties.topics(config);
            if (!role.captures()) {
                bootstrap = config.kafka().embedded() ? runningEmbeddedBroker() : config.kafka().bootstrap();
                KafkaClients.createTopics(config, bootstrap, topics);
                startSinkAfterCopy(topics);
                return this;
            }
            BlueSetup.prepare(blue, config);
            bootstrap = config.kafka().embedded()
                    ? track(EmbeddedKafkaBroker.start(config.workDir())).bootstrapServers()
                    : config.kafka().bootstrap();
            KafkaClients.createTopics(config, bootstrap, topics);
            initialCopy = InitialCopy.prepare(validated, blue, green, bootstrap, backfillListener);
            SnapshotRebuild.prepare(validated, green, bootstrap);
            if (initialCopy == null && role.applies()) {
                startSink(topics);
            }
            createDirectories(config.workDir().resolve("capture"));
            SchemaHistoryFiles.discardIfCutShort(config);
            KafkaProducer<String, String> producer = track(KafkaClients.producer(config, bootstrap));
            capture = track(new CaptureEngine(config.name(),
                    DebeziumProperties.of(config, validated.declaredKeys()), producer, DebeziumProperties.tableByTopic(config)));
            capture.start();
            if (initialCopy != null) {
                startBackfill(topics);
            }
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The embedded broker that the capture process on this work dir runs (an apply process starts none). */
    private String runningEmbeddedBroker() {
        return EmbeddedKafkaBroker.runningBootstrap(config.workDir()).orElseThrow(() -> new BluegreenException(
                ErrorCode.BROKER_UNAVAILABLE, "kafka.bootstrap is embedded, but no embedded broker runs under "
                + config.workDir().resolve("kafka") + ": the capture process starts it. Start `bluegreen run --role"
                + " capture` with this config on this machine first, or set kafka.bootstrap to a Kafka cluster"));
    }

    /**
     * The apply process: starts the sink at once when green needs no initial copy or has it, else on a thread that
     * checks green's backfill record every {@value #COPY_POLL_MS} ms and starts the sink once the capture process's
     * copy is done (the sink must not apply the stream over a table before the table's rows are there).
     */
    private void startSinkAfterCopy(List<String> topics) {
        if (copyDone()) {
            startSink(topics);
            return;
        }
        LOG.info("{} - waiting for the initial copy, which the capture process (bluegreen run --role capture) runs;"
                + " the sink starts once it is done", config.name());
        awaitingCopy = true;
        backfillThread = new Thread(() -> {
            try {
                while (!copyDone()) {
                    Thread.sleep(COPY_POLL_MS);
                }
                synchronized (this) {
                    if (!closed) {
                        LOG.info("{} - initial copy done; the sink starts", config.name());
                        startSink(topics);
                    }
                }
            } catch (InterruptedException e) {
                // closing
            } catch (Throwable t) {
                if (!closed) {
                    backfillFailure.set(t instanceof BluegreenException b ? b : new BluegreenException(
                            ErrorCode.INTERNAL_ERROR, "waiting for the initial copy failed: " + t.getMessage(), t));
                    LOG.error("{} - waiting for the initial copy failed: {}", config.name(), t.getMessage());
                }
            } finally {
                awaitingCopy = false;
            }
        }, "bluegreen-await-copy");
        backfillThread.setDaemon(true);
        backfillThread.start();
    }

    /** How often (ms) an apply process waiting for the initial copy reads green's backfill record. */
    static final long COPY_POLL_MS = 1_000;

    /**
     * True when the sink may apply: no copy is configured, the copy recorded in green is done, or the sink already
     * applied events (a pipeline that streamed before it had a backfill record).
     *
     * @throws BluegreenException (GREEN_UNAVAILABLE) when green cannot be read
     */
    private boolean copyDone() {
        if (!"copy".equals(config.capture().snapshot())) {
            return true;
        }
        try (Connection g = green.getConnection()) {
            BackfillStore.State state = new BackfillStore(config.name()).load(g);
            return state != null ? state.done() : SnapshotRebuild.hasReplicatedData(g, config.name());
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.GREEN_UNAVAILABLE, "cannot read the backfill's state from green: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Copies on a thread of its own while capture already streams into Kafka from the slot's consistent
     * point; the sink starts once every chunk is in green (it must not apply the stream over a table
     * before the table's rows are there).
     */
    private void startBackfill(List<String> topics) {
        InitialCopy copy = initialCopy;
        backfillThread = new Thread(() -> {
            try {
                copy.run();
                synchronized (this) {
                    if (!closed && role.applies()) {
                        startSink(topics);
                    } else if (!closed) {
                        LOG.info("{} - initial copy done; the apply process (bluegreen run --role apply) applies the"
                                + " stream from here", config.name());
                    }
                }
            } catch (Throwable t) {
                if (!closed) {
                    backfillFailure.set(t);
                    LOG.error("{} - initial copy failed: {}", config.name(), t.getMessage());
                }
            } finally {
                initialCopy = null;
            }
        }, "bluegreen-backfill");
        backfillThread.setDaemon(true);
        backfillThread.start();
    }

    /** True while the initial copy runs, or an apply process waits for it (the sink has not started yet). */
    public boolean backfillRunning() {
        return initialCopy != null || awaitingCopy;
    }

    private void startSink(List<String> topics) {
        BatchPlanner planner = new BatchPlanner(new DebeziumEnvelopeDecoder(validated.blueTables()),
                validated.transforms(), BlueSetup.HEARTBEAT);
        GreenApplier applier = new GreenApplier(PostgresDialect.INSTANCE, validated.targetShapes());
        sink = track(new SinkRunner(config.name(), config.sink(), green, KafkaClients.consumer(config, bootstrap),
                topics, planner, applier, Clock.systemUTC()));
        sink.start();
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BluegreenException(ErrorCode.CONFIG_INVALID, "cannot create " + dir + " for capture offsets: "
                    + e.getMessage() + "; check pipeline.work-dir", e);
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        opened.push(resource);
        return resource;
    }

    /** The config. */
    public PipelineConfig config() {
        return config;
    }

    /** The validated pipeline (transforms, schemas); available after {@link #start}. */
    public ValidatedPipeline validated() {
        return validated;
    }

    /** Blue's pool; available after {@link #start}. */
    public HikariDataSource blue() {
        return blue;
    }

    /** Green's pool; available after {@link #start}. */
    public HikariDataSource green() {
        return green;
    }

    /** The broker list in use (the embedded broker's when embedded). */
    public String bootstrapServers() {
        return bootstrap;
    }

    /** Change events acknowledged by Kafka (events). */
    public long capturedEvents() {
        return capture == null ? 0 : capture.publishedEvents();
    }

    /** Change events applied to green by this run (events). */
    public long appliedEvents() {
        return sink == null ? 0 : sink.appliedEvents();
    }

    /**
     * Throws when capture or sink stopped by itself.
     *
     * @throws BluegreenException with the stage's cause
     */
    public void checkHealthy() {
        Throwable f = backfillFailure.get();
        if (f != null) {
            throw f instanceof BluegreenException b ? b : new BluegreenException(ErrorCode.INTERNAL_ERROR,
                    "initial copy failed: " + f.getMessage(), f);
        }
        f = capture == null ? null : capture.failure();
        if (f != null) {
            throw f instanceof BluegreenException b ? b : new BluegreenException(ErrorCode.CAPTURE_FAILED,
                    "capture stopped: " + f.getMessage(), f);
        }
        f = sink == null ? null : sink.failure();
        if (f != null) {
            throw f instanceof BluegreenException b ? b : new BluegreenException(ErrorCode.INTERNAL_ERROR,
                    "sink stopped: " + f.getMessage(), f);
        }
    }

    /** Stops capture, sink, broker and pools, newest first. Idempotent. */
    @Override
    public void close() {
        closed = true;
        InitialCopy copy = initialCopy;
        if (copy != null) {
            copy.cancel();
        }
        Thread t = backfillThread;
        if (t != null && t != Thread.currentThread()) {
            if (!role.captures()) {
                t.interrupt(); // it only waits for the copy
            }
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeResources();
    }

    private synchronized void closeResources() {
        if (green != null && !green.isClosed()) {
            try {
                // one record for the pipeline: a stopped capture or apply process stops it as a whole (cutover's
                // pre-check then refuses), and the other one's next start records it running again
                Progress.setState(config, green, "stopped", role == Role.ALL ? null
                        : "the " + role.name().toLowerCase(Locale.ROOT) + " process stopped");
            } catch (SQLException | RuntimeException e) {
                LOG.debug("{} - could not record the stopped state: {}", config.name(), e.toString());
            }
        }
        while (!opened.isEmpty()) {
            AutoCloseable r = opened.pop();
            try {
                r.close();
            } catch (Exception e) {
                LOG.warn("{} - closing {} failed: {}", config.name(), r.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
