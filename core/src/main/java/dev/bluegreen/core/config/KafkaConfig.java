package dev.bluegreen.core.config;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * Where change events go.
 *
 * @param bootstrap {@value #EMBEDDED} to start a private single-node broker under the work dir, or
 *     a broker list {@code host:port,host:port}
 * @param partitions partitions per table topic when bluegreen creates it (rows)
 * @param properties extra Kafka client properties (security, timeouts), passed to producer,
 *     consumer and admin client alike
 */
public record KafkaConfig(String bootstrap, int partitions, Map<String, String> properties) {

    /** The value of {@code kafka.bootstrap} that asks for the embedded broker. */
    public static final String EMBEDDED = "embedded";

    public KafkaConfig {
        requireNonNull(bootstrap, "bootstrap is null");
        properties = Map.copyOf(properties);
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
    }

    public boolean embedded() {
        return EMBEDDED.equals(bootstrap);
    }
}
