package dev.bluegreen.cli.pipeline;

import com.zaxxer.hikari.HikariDataSource;
import dev.bluegreen.capture.BlueSetup;
import dev.bluegreen.capture.CaptureEngine;
import dev.bluegreen.capture.DebeziumProperties;
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
import dev.bluegreen.sink.batch.BatchPlanner;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
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

    /** A pipeline for the config; nothing starts until {@link #start}. */
    public Pipeline(PipelineConfig config) {
        this.config = config;
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
            SnapshotRebuild.prepare(validated, green, bootstrap);
            startSink(topics);
            createDirectories(config.workDir().resolve("capture"));
            KafkaProducer<String, String> producer = track(KafkaClients.producer(config, bootstrap));
            capture = track(new CaptureEngine(config.name(),
                    DebeziumProperties.of(config, validated.declaredKeys()), producer, DebeziumProperties.tableByTopic(config)));
            capture.start();
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
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
        Throwable f = capture == null ? null : capture.failure();
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
    public synchronized void close() {
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
