package dev.bluegreen.cli.pipeline;

import dev.bluegreen.capture.DebeziumProperties;
import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.cutover.parity.sql.Reads;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Waits until everything blue committed before the call is in green: first a heartbeat committed
 * on blue after the call must have been applied (capture has read past that point: WAL order), then
 * green's stored sink offsets must reach the end offsets Kafka reports after that (every event
 * published before the heartbeat has been applied). On a MariaDB blue a change's commit time is the
 * binlog event's, in whole seconds (Debezium's {@code source.ts_ms}), so the wait ends up to a second
 * later than the data arrives. Stateless.
 */
public final class Drain {

    private Drain() {
    }

    /**
     * Blocks until drained.
     *
     * @return how long it took (ms)
     * @throws BluegreenException when the timeout passes first, or a stage of the pipeline failed
     */
    public static long await(Pipeline pipeline, Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long blueNowMs = blueClockMs(pipeline);
        while (heartbeatAppliedMs(pipeline) < blueNowMs) {
            tick(pipeline, deadline, "no heartbeat committed on blue after " + blueNowMs + " was applied yet");
        }
        Map<TopicPartition, Long> end = endOffsets(pipeline);
        while (!reached(pipeline, end)) {
            tick(pipeline, deadline, "green's sink offsets have not reached Kafka's end offsets " + end);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void tick(Pipeline pipeline, long deadline, String what) throws InterruptedException {
        pipeline.checkHealthy();
        if (System.nanoTime() > deadline) {
            throw new BluegreenException(ErrorCode.CAPTURE_FAILED, "replication did not drain in time: " + what
                    + "; see `bluegreen status` and the log");
        }
        Thread.sleep(50);
    }

    private static long blueClockMs(Pipeline pipeline) {
        try (Connection c = pipeline.blue().getConnection()) {
            return Reads.clockMs(c, Engine.of(pipeline.config().blue()));
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.BLUE_UNAVAILABLE, "cannot read blue's clock: " + e.getMessage(), e);
        }
    }

    private static long heartbeatAppliedMs(Pipeline pipeline) {
        try (Connection c = pipeline.green().getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT blue_commit_ms FROM bluegreen.lag WHERE pipeline = ?")) {
            ps.setString(1, pipeline.config().name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.GREEN_UNAVAILABLE, "cannot read the lag from green: "
                    + e.getMessage(), e);
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Pipeline pipeline) {
        return KafkaClients.endOffsets(pipeline.config(), pipeline.bootstrapServers(),
                DebeziumProperties.topics(pipeline.config()));
    }

    private static boolean reached(Pipeline pipeline, Map<TopicPartition, Long> end) {
        try (Connection c = pipeline.green().getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT topic, kafka_partition, next_offset FROM bluegreen.sink_offset WHERE pipeline = ?")) {
            ps.setString(1, pipeline.config().name());
            Map<TopicPartition, Long> stored = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
                }
            }
            return end.entrySet().stream().allMatch(e -> e.getValue() == 0
                    || stored.getOrDefault(e.getKey(), 0L) >= e.getValue());
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.GREEN_UNAVAILABLE, "cannot read sink offsets: " + e.getMessage(), e);
        }
    }
}
