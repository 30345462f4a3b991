package dev.bluegreen.cli.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@Tag("it-kafka")
class EmbeddedKafkaBrokerIT {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBrokerIT.class);
    private static final String TOPIC = "blue.public.film";
    private static final List<String> SENT = List.of("1=ACADEMY DINOSAUR", "2=ACE GOLDFINGER", "3=ADAPTATION HOLES");

    @TempDir
    Path workDir;

    @Test
    void producesConsumesAndKeepsDataAcrossRestart() throws Exception {
        long pid;
        String firstBootstrap;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(workDir)) {
            LOG.info("first start (formats storage): {} ms", broker.startupTime().toMillis());
            pid = broker.pid();
            firstBootstrap = broker.bootstrapServers();
            assertThat(firstBootstrap).matches("127\\.0\\.0\\.1:\\d+");
            assertThat(Files.readString(workDir.resolve("kafka/broker.pid")).strip()).isEqualTo(Long.toString(pid));
            assertThat(Files.readString(workDir.resolve("kafka/server.properties"))).contains("log.retention.hours=-1");
            produce(broker.bootstrapServers(), SENT);
            assertThat(consumeAll(broker.bootstrapServers(), SENT.size())).isEqualTo(SENT);
        }
        assertGone(pid);
        assertThat(workDir.resolve("kafka/broker.pid")).doesNotExist();
        String clusterId = Files.readString(workDir.resolve("kafka/cluster.id"));

        EmbeddedKafkaBroker restarted = EmbeddedKafkaBroker.start(workDir);
        try {
            LOG.info("restart on the same work dir: {} ms", restarted.startupTime().toMillis());
            assertThat(restarted.bootstrapServers()).as("ports are reused when free").isEqualTo(firstBootstrap);
            assertThat(consumeAll(restarted.bootstrapServers(), SENT.size())).isEqualTo(SENT);
        } finally {
            restarted.close();
        }
        assertThat(restarted.isAlive()).isFalse();
        assertGone(restarted.pid());
        restarted.close(); // idempotent
        assertThat(Files.readString(workDir.resolve("kafka/cluster.id"))).isEqualTo(clusterId);
        assertThat(Files.size(workDir.resolve("kafka/broker.log"))).as("broker.log stays small").isLessThan(64 * 1024);
    }

    @Test
    void startStopsAStaleBrokerOnTheSameWorkDir() throws Exception {
        EmbeddedKafkaBroker stale = EmbeddedKafkaBroker.start(workDir);
        try {
            produce(stale.bootstrapServers(), SENT.subList(0, 1));
            // as if the parent had been killed: the broker still runs, and a new parent starts
            try (EmbeddedKafkaBroker fresh = EmbeddedKafkaBroker.start(workDir)) {
                assertThat(stale.isAlive()).isFalse();
                assertThat(fresh.pid()).isNotEqualTo(stale.pid());
                assertThat(consumeAll(fresh.bootstrapServers(), 1)).isEqualTo(SENT.subList(0, 1));
            }
        } finally {
            stale.close();
        }
        assertGone(stale.pid());
    }

    private static void produce(String bootstrap, List<String> keyValues) throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            for (String keyValue : keyValues) {
                String[] parts = keyValue.split("=", 2);
                producer.send(new ProducerRecord<>(TOPIC, parts[0], parts[1])).get();
            }
        }
    }

    /** Reads the topic from the start with a new group until {@code expected} records arrived (30 s at most). */
    private static List<String> consumeAll(String bootstrap, int expected) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<String> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.size() < expected && System.nanoTime() - deadline < 0) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    received.add(record.key() + "=" + record.value());
                }
            }
        }
        return received;
    }

    private static void assertGone(long pid) {
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("broker process %d is gone after close()", pid).isFalse();
    }
}
