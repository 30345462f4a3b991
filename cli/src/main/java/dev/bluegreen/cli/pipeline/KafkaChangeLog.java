package dev.bluegreen.cli.pipeline;

import dev.bluegreen.cli.kafka.EmbeddedKafkaBroker;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.cutover.finalcheck.ChangeLog;
import dev.bluegreen.cutover.finalcheck.ChangeRecord;
import dev.bluegreen.cutover.finalcheck.Deadline;
import dev.bluegreen.cutover.finalcheck.OffsetRange;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The final check's {@link ChangeLog} on the pipeline's Kafka: one consumer, created at the first read and kept
 * until {@link #close()} (so the part inside the freeze does not pay for connecting), that {@code assign}s the
 * partitions and {@code seek}s to each range's start. It has no consumer group and commits nothing, so the sink's
 * positions are untouched; {@code auto.offset.reset=none}, so a range Kafka no longer holds is an error, never a
 * silent skip. Reads {@code read_committed}, like the sink. Not thread-safe.
 */
public final class KafkaChangeLog implements ChangeLog {

    private static final Duration MAX_POLL = Duration.ofMillis(100);

    private final PipelineConfig config;
    private final Supplier<String> bootstrap;
    private KafkaConsumer<String, String> consumer;
    private String connectedTo;

    /**
     * @param bootstrap the broker list, asked for at the first read
     */
    public KafkaChangeLog(PipelineConfig config, Supplier<String> bootstrap) {
        this.config = config;
        this.bootstrap = bootstrap;
    }

    /**
     * The change log of a pipeline run by another process ({@code bluegreen run}): {@code kafka.bootstrap}, or, when
     * that is {@code embedded}, the broker running under the pipeline's work dir.
     */
    public static KafkaChangeLog of(PipelineConfig config) {
        return new KafkaChangeLog(config, () -> {
            if (!config.kafka().embedded()) {
                return config.kafka().bootstrap();
            }
            return EmbeddedKafkaBroker.runningBootstrap(config.workDir()).orElseThrow(() -> new BluegreenException(
                    ErrorCode.BROKER_UNAVAILABLE, "kafka.bootstrap is embedded, but no embedded broker runs under "
                    + config.workDir().resolve("kafka") + "; it runs inside bluegreen run, and the final check reads the"
                    + " changes since the last parity pass from it: start the pipeline (bluegreen run), or cut over"
                    + " with --skip-final-verify"));
        });
    }

    @Override
    public boolean read(List<OffsetRange> ranges, Deadline deadline, Consumer<ChangeRecord> each) {
        Map<TopicPartition, Long> until = new HashMap<>();
        ranges.stream().filter(r -> r.size() > 0)
                .forEach(r -> until.put(new TopicPartition(r.topic(), r.partition()), r.toOffset()));
        if (until.isEmpty()) {
            return true;
        }
        try {
            KafkaConsumer<String, String> c = consumer();
            c.assign(until.keySet());
            c.resume(until.keySet()); // a partition paused at the end of an earlier read stays paused when reassigned
            for (OffsetRange r : ranges) {
                if (r.size() > 0) {
                    c.seek(new TopicPartition(r.topic(), r.partition()), r.fromOffset());
                }
            }
            while (!until.isEmpty()) {
                if (deadline.expired()) {
                    return false;
                }
                Duration left = deadline.remaining();
                hand(c.poll(left.compareTo(MAX_POLL) < 0 ? left : MAX_POLL), until, each);
                List<TopicPartition> done = until.entrySet().stream()
                        .filter(e -> c.position(e.getKey()) >= e.getValue()).map(Map.Entry::getKey).toList();
                done.forEach(until::remove);
                c.pause(done); // nothing more is needed from them in this read
            }
            return true;
        } catch (OffsetOutOfRangeException e) {
            throw new BluegreenException(ErrorCode.BROKER_UNAVAILABLE, "Kafka at " + connectedTo + " no longer holds"
                    + " the records " + e.offsetOutOfRangePartitions() + " that the final check must read (topics"
                    + " bluegreen creates keep everything: was retention changed?); run bluegreen verify again", e);
        } catch (KafkaException e) {
            throw new BluegreenException(ErrorCode.BROKER_UNAVAILABLE, "the final check could not read the table topics"
                    + " from Kafka at " + connectedTo + ": " + e.getMessage() + "; check kafka.bootstrap and the broker",
                    e);
        }
    }

    private static void hand(ConsumerRecords<String, String> polled, Map<TopicPartition, Long> until,
                             Consumer<ChangeRecord> each) {
        for (TopicPartition tp : polled.partitions()) {
            Long end = until.get(tp);
            if (end == null) {
                continue;
            }
            for (ConsumerRecord<String, String> r : polled.records(tp)) {
                if (r.offset() < end) { // a fetch may run past the range's end
                    each.accept(new ChangeRecord(r.topic(), r.partition(), r.offset(), r.key(), r.value()));
                }
            }
        }
    }

    private KafkaConsumer<String, String> consumer() {
        if (consumer == null) {
            connectedTo = bootstrap.get();
            Properties p = KafkaClients.base(config, connectedTo);
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
            // the ranges end where data exists: never let the broker hold a fetch waiting for more
            p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
            p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(8 * 1024 * 1024));
            p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bluegreen-" + config.name() + "-final-check");
            consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        }
        return consumer;
    }

    @Override
    public void close() {
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(5));
            consumer = null;
        }
    }
}
