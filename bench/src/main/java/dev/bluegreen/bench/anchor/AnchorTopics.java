package dev.bluegreen.bench.anchor;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/** The anchor's topics on its broker: one partition each, one replica. */
final class AnchorTopics {

    private AnchorTopics() {
    }

    /** Creates the topics, one partition and one replica each; throws IllegalStateException if that fails. */
    static void create(String bootstrap, List<String> topics) {
        try (Admin admin = admin(bootstrap)) {
            admin.createTopics(topics.stream().map(t -> new NewTopic(t, 1, (short) 1)).toList()).all()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw failed("creating topics " + topics + " on " + bootstrap, e);
        }
    }

    /** @return the end offset of the topic's one partition: the records written to it */
    static long records(String bootstrap, String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = admin(bootstrap)) {
            return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get(10, TimeUnit.SECONDS)
                    .offset();
        } catch (Exception e) {
            throw failed("reading the end offset of " + tp + " on " + bootstrap, e);
        }
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, "bench-jdbc-sink-anchor"));
    }

    private static IllegalStateException failed(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new IllegalStateException(what + " failed", e);
    }
}
