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
import dev.bluegreen.sink.batch.BatchPlanner;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running pipeline: (embedded broker) → capture → Kafka → sink → green. Opens everything in
 * {@link #start}, closes everything in reverse order in {@link #close}, also when start fails
 * half-way. Thread-safe for {@link #failure()} and the counters.
 */
public final class Pipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private final PipelineConfig config;
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
        this.config = config;
        this.backfillListener = backfillListener;
    }

    /**
     * Validates against the live schemas, prepares blue and green, and starts capture and sink.
     *
     * @throws dev.bluegreen.core.error.ConfigException when the config does not fit the schemas
     * @throws BluegreenException when a server or the broker cannot be reached
     */
    public synchronized Pipeline start() {
        try {
            blue = track(Endpoints.pool(config.blue(), config.name() + "-blue", 4, ErrorCode.BLUE_UNAVAILABLE));
            green = track(Endpoints.pool(config.green(), config.name() + "-green", 4, ErrorCode.GREEN_UNAVAILABLE));
            validated = PipelineValidator.validate(config, blue, green);
            ControlSchema.migrate(green);
            Progress.initialize(config, blue, green);
            BlueSetup.prepare(blue, config);
            bootstrap = config.kafka().embedded()
                    ? track(EmbeddedKafkaBroker.start(config.workDir())).bootstrapServers()
                    : config.kafka().bootstrap();
            List<String> topics = DebeziumProperties.topics(config);
            KafkaClients.createTopics(config, bootstrap, topics);
            initialCopy = InitialCopy.prepare(validated, blue, green, bootstrap, backfillListener);
            SnapshotRebuild.prepare(validated, green, bootstrap);
            if (initialCopy == null) {
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
                    if (!closed) {
                        startSink(topics);
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

    /** True while the initial copy runs (the sink has not started yet). */
    public boolean backfillRunning() {
        return initialCopy != null;
    }

    private void startSink(List<String> topics) {
        BatchPlanner planner = new BatchPlanner(new DebeziumEnvelopeDecoder(validated.blueTables()),
                validated.transforms(), BlueSetup.HEARTBEAT);
        GreenApplier applier = new GreenApplier(PostgresDialect.INSTANCE, validated.targetShapes());
        sink = track(new SinkRunner(config.name(), config.sink(), green, KafkaClients.consumer(config, bootstrap),
                topics, planner, applier, Clock.systemUTC()));
        sink.start();
    }

    private static void createDirectories(java.nio.file.Path dir) {
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (java.io.IOException e) {
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
                Progress.setState(config, green, "stopped", null);
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
