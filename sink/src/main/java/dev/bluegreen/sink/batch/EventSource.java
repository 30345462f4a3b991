package dev.bluegreen.sink.batch;

import dev.bluegreen.sink.deadletter.DeadLetter;

/**
 * Where a change came from: the Kafka record and its raw content, kept so that a failure can be
 * dead-lettered with the raw event.
 *
 * @param blueTable {@code schema.table} of the blue table, or {@code "?"} when unknown
 */
public record EventSource(String blueTable, String topic, int partition, long offset, String rawKey, String rawValue) {

    /** A dead letter for this event with the given reason. */
    public DeadLetter deadLetter(String error) {
        return new DeadLetter(blueTable, topic, partition, offset, rawKey, rawValue, error);
    }
}
