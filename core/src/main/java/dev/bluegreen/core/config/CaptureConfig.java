package dev.bluegreen.core.config;

import java.time.Duration;

/**
 * Capture (Debezium) settings.
 *
 * @param pollInterval how often the engine hands queued events over; Debezium's default (500 ms)
 *     dominates replication lag, so bluegreen defaults to 10 ms
 * @param heartbeatInterval how often a heartbeat row is written on blue, which keeps the slot
 *     advancing on idle databases and gives the lag measure (default 1 s)
 * @param snapshot {@code copy} (bluegreen copies blue's rows at a consistent point, then streams; the
 *     default), {@code initial} (Debezium's snapshot through Kafka, then stream) or {@code never} (stream only)
 * @param maxBatchSize events per engine batch (Debezium {@code max.batch.size})
 */
public record CaptureConfig(Duration pollInterval, Duration heartbeatInterval, String snapshot, int maxBatchSize) {

    public CaptureConfig {
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive");
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("heartbeatInterval must be positive");
        }
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be >= 1");
        }
    }
}
