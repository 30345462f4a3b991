package dev.bluegreen.capture;

import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Debezium's embedded engine and publishes each change event, unchanged (the raw envelope as
 * JSON with schema), to Kafka, keyed by the row's primary key so that one partition owns a key.
 *
 * <p>Delivery contract (design property 1): a batch's source offsets are marked processed only
 * after the producer has acknowledged every record of the batch; a failed send fails the batch
 * and stops the engine with the offsets unmoved, so a restart re-reads those changes (Kafka may
 * then hold duplicates, which the idempotent sink absorbs).
 *
 * <p>Besides the change events it writes bluegreen's {@link dev.bluegreen.core.event.Markers}: a
 * snapshot-complete marker when streaming begins and a watermark after every streamed heartbeat, each
 * into every partition of every table topic.
 *
 * <p>Lifecycle: {@link #start()} once, then {@link #close()}; {@link #failure()} reports why the
 * engine stopped by itself. Thread-safe.
 */
public final class CaptureEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureEngine.class);

    private final String pipeline;
    private final Properties properties;
    private final Producer<String, String> producer;
    private final java.util.Map<String, String> tableByTopic;
    private final CaptureMarkers markers;
    private boolean snapshotCompleteSent;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "bluegreen-capture"));
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong published = new AtomicLong();
    private volatile boolean stopped;
    private DebeziumEngine<ChangeEvent<String, String>> engine;

    /**
     * @param pipeline the pipeline name, for logs
     * @param properties Debezium properties from {@link DebeziumProperties}
     * @param producer a producer with {@code acks=all} and idempotence on; owned by the caller
     * @param tableByTopic the change-event topics, each with its blue table ({@code schema.table});
     *     records for any other destination (Debezium's own heartbeat topic) are acknowledged to
     *     Debezium without being published
     */
    public CaptureEngine(String pipeline, Properties properties, Producer<String, String> producer,
                         java.util.Map<String, String> tableByTopic) {
        this.pipeline = pipeline;
        this.properties = properties;
        this.producer = producer;
        this.tableByTopic = java.util.Map.copyOf(tableByTopic);
        String heartbeatTopic = tableByTopic.entrySet().stream()
                .filter(e -> e.getValue().equals(BlueSetup.HEARTBEAT.toString())).map(java.util.Map.Entry::getKey)
                .findFirst().orElseThrow(() -> new IllegalArgumentException("tableByTopic has no heartbeat topic"));
        this.markers = new CaptureMarkers(producer, tableByTopic, heartbeatTopic);
    }

    /** Starts the engine on its own thread; returns at once. */
    public synchronized void start() {
        if (engine != null) {
            throw new IllegalStateException("capture for pipeline " + pipeline + " already started");
        }
        engine = DebeziumEngine.create(Json.class)
                .using(properties)
                .notifying(this::publish)
                .using((success, message, error) -> {
                    if (!success && !stopped) {
                        failure.compareAndSet(null, error != null ? error
                                : new IllegalStateException(message));
                        LOG.error("{} - capture stopped: {}", pipeline, message, error);
                    }
                })
                .build();
        executor.execute(engine);
        if (properties.getProperty("slot.name") != null) {
            LOG.info("{} - capture started (slot {}, publication {})", pipeline,
                    properties.getProperty("slot.name"), properties.getProperty("publication.name"));
        } else {
            LOG.info("{} - capture started ({}, snapshot mode {}, replication client id {})", pipeline,
                    properties.getProperty("connector.class"), properties.getProperty("snapshot.mode"),
                    properties.getProperty("database.server.id"));
        }
    }

    /** Events acknowledged by Kafka so far. */
    public long publishedEvents() {
        return published.get();
    }

    /** Why the engine stopped by itself, if it did. */
    public Throwable failure() {
        return failure.get();
    }

    private void publish(List<ChangeEvent<String, String>> records,
                         DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer)
            throws InterruptedException {
        List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
        for (ChangeEvent<String, String> r : records) {
            boolean heartbeat = markers.isHeartbeat(r.destination());
            // the envelope is searched only while it can matter: until streaming began, and for heartbeats
            boolean streaming = (!snapshotCompleteSent || heartbeat) && CaptureMarkers.isStreamingEvent(r.value());
            if (!snapshotCompleteSent && streaming) {
                acks.addAll(markers.snapshotComplete());
                snapshotCompleteSent = true;
                markSchemaHistoryComplete();
            }
            if (tableByTopic.containsKey(r.destination())) {
                acks.add(producer.send(new ProducerRecord<>(r.destination(), r.key(), r.value())));
            }
            if (streaming && heartbeat) {
                try {
                    acks.addAll(markers.watermark(r.value()));
                } catch (java.io.IOException e) {
                    LOG.warn("{} - heartbeat event is not readable JSON, no watermark sent: {}", pipeline, e.toString());
                }
            }
        }
        producer.flush();
        for (Future<RecordMetadata> ack : acks) {
            try {
                ack.get();
            } catch (ExecutionException e) {
                // offsets stay unmarked: the changes are read again after a restart
                throw new BluegreenException(ErrorCode.BROKER_UNAVAILABLE, "Kafka did not acknowledge a change event: "
                        + e.getCause().getMessage() + "; capture stops with its position unmoved", e.getCause());
            }
        }
        for (ChangeEvent<String, String> r : records) {
            committer.markProcessed(r);
        }
        committer.markBatchFinished();
        published.addAndGet(records.size());
    }

    /** Debezium streams only after its schema snapshot: from here on its schema history (MariaDB) is whole. */
    private void markSchemaHistoryComplete() {
        String history = properties.getProperty("schema.history.internal.file.filename");
        if (history != null) {
            try {
                SchemaHistoryFiles.markComplete(java.nio.file.Path.of(history));
            } catch (IOException e) {
                // without the mark the next start records the schema again: slower, never wrong
                LOG.warn("{} - cannot mark the schema history {} whole: {}", pipeline, history, e.toString());
            }
        }
    }

    /** Stops the engine (flushing Debezium's offsets) and waits up to 30 s. Idempotent. */
    @Override
    public synchronized void close() {
        stopped = true;
        if (engine != null) {
            try {
                engine.close();
            } catch (IOException e) {
                LOG.warn("{} - closing the capture engine failed: {}", pipeline, e.toString());
            }
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("{} - capture engine did not stop within 30 s", pipeline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
