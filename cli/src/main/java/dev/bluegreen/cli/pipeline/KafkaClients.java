package dev.bluegreen.cli.pipeline;

import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Builds the pipeline's Kafka clients from the config, and creates the change-event topics.
 * Stateless.
 */
final class KafkaClients {

    private KafkaClients() {
    }

    static Properties base(PipelineConfig config, String bootstrap) {
        Properties p = new Properties();
        p.putAll(config.kafka().properties());
        p.put("bootstrap.servers", bootstrap);
        return p;
    }

    /** A producer that never loses an acknowledged record: acks=all, idempotent, ordered. */
    static KafkaProducer<String, String> producer(PipelineConfig config, String bootstrap) {
        Properties p = base(config, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "bluegreen-" + config.name() + "-capture");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** The sink's consumer: no auto-commit (offsets live in green), earliest when none stored. */
    static KafkaConsumer<String, String> consumer(PipelineConfig config, String bootstrap) {
        Properties p = base(config, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumerGroup());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.sink().batchSizeRows()));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bluegreen-" + config.name() + "-sink");
        // static membership: a restarted sink takes its partitions back at once instead of waiting
        // out the session timeout of the member that died
        p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "bluegreen-" + config.name() + "-sink-0");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    /**
     * Creates missing topics with the configured partition count; topics bluegreen creates keep
     * their data ({@code retention.ms=-1}) so a fixed mapping can be replayed.
     *
     * @throws BluegreenException (BROKER_UNAVAILABLE) when the broker does not answer within 60 s
     */
    static void createTopics(PipelineConfig config, String bootstrap, List<String> topics) {
        try (Admin admin = Admin.create(base(config, bootstrap))) {
            Set<String> existing = new HashSet<>(admin.listTopics().names().get(60, TimeUnit.SECONDS));
            List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, Optional.of(config.kafka().partitions()), Optional.empty())
                            .configs(retention()))
                    .toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new BluegreenException(ErrorCode.BROKER_UNAVAILABLE, "cannot create topics on Kafka at " + bootstrap
                    + ": " + e.getMessage() + "; check kafka.bootstrap and that the broker is up", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BluegreenException(ErrorCode.BROKER_UNAVAILABLE, "interrupted while creating topics", e);
        }
    }

    /**
     * Kafka's end offset of every partition of the topics.
     *
     * @throws BluegreenException (BROKER_UNAVAILABLE) when the broker does not answer within 30 s
     */
    static Map<TopicPartition, Long> endOffsets(PipelineConfig config, String bootstrap, List<String> topics) {
        try (Admin admin = Admin.create(base(config, bootstrap))) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
                d.partitions().forEach(p -> request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
            }
            Map<TopicPartition, Long> out = new HashMap<>();
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
                    : admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).entrySet()) {
                out.put(e.getKey(), e.getValue().offset());
            }
            return out;
        } catch (ExecutionException | TimeoutException e) {
            throw new BluegreenException(ErrorCode.BROKER_UNAVAILABLE, "cannot read end offsets from Kafka at "
                    + bootstrap + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BluegreenException(ErrorCode.BROKER_UNAVAILABLE, "interrupted reading end offsets", e);
        }
    }

    private static Map<String, String> retention() {
        Map<String, String> m = new HashMap<>();
        m.put("retention.ms", "-1");
        return m;
    }
}
