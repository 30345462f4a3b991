package dev.bluegreen.sink.deadletter;

import static java.util.Objects.requireNonNull;

/**
 * A change event the sink could not apply, with everything needed to replay it by hand.
 *
 * @param blueTable the blue table the event belongs to ({@code schema.table}), or {@code "?"} when
 *     the event could not be decoded far enough to tell
 * @param topic Kafka topic
 * @param partition Kafka partition
 * @param offset Kafka offset
 * @param rawKey the raw record key (JSON), may be null
 * @param rawValue the raw record value (the Debezium envelope as JSON), may be null
 * @param error why it failed, naming table, key, column and value where known
 */
public record DeadLetter(String blueTable, String topic, int partition, long offset, String rawKey, String rawValue,
                         String error) {

    public DeadLetter {
        requireNonNull(blueTable, "blueTable is null");
        requireNonNull(topic, "topic is null");
        requireNonNull(error, "error is null");
    }
}
