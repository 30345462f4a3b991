package dev.bluegreen.cutover.finalcheck;

import static java.util.Objects.requireNonNull;

/**
 * One record of a table topic as the final check reads it: where it is and its raw content.
 *
 * @param topic the topic
 * @param partition the partition, 0 or more
 * @param offset its offset in the partition, 0 or more
 * @param key the raw key (schemaless JSON of the blue key), or {@code null} for bluegreen's markers and
 *     Debezium's truncate events
 * @param value the raw value (a Debezium envelope or a bluegreen marker), or {@code null} for a tombstone
 */
public record ChangeRecord(String topic, int partition, long offset, String key, String value) {

    public ChangeRecord {
        requireNonNull(topic, "topic is null");
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException("partition and offset must not be negative, got " + partition + "@"
                    + offset);
        }
    }

    /** {@code topic/partition@offset}, for messages. */
    public String position() {
        return topic + "/" + partition + "@" + offset;
    }
}
