package dev.bluegreen.sink.batch;

import dev.bluegreen.core.event.Markers;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.sink.deadletter.DeadLetter;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * What one consumed batch asks of green, in order: segments of reduced row actions separated by
 * truncates (a truncate is a barrier: every action before it is applied first), the dead letters
 * found while decoding and transforming, per-table progress, the latest heartbeat and the next
 * offsets to store. Immutable.
 *
 * @param segments in apply order
 * @param deadLetters events that could not be decoded or transformed
 * @param progress per blue table
 * @param heartbeatCommitMs blue commit time of the latest heartbeat in the batch, or 0
 * @param watermarks per partition, the newest watermark marker in the batch (partitions without one absent)
 * @param nextOffsets per partition, last consumed offset + 1
 */
public record BatchPlan(List<Segment> segments, List<DeadLetter> deadLetters, Map<TableId, TableProgress> progress,
                        long heartbeatCommitMs, Map<TopicPartition, Markers.Watermark> watermarks,
                        Map<TopicPartition, Long> nextOffsets) {

    public BatchPlan {
        segments = List.copyOf(segments);
        deadLetters = List.copyOf(deadLetters);
        progress = Map.copyOf(progress);
        watermarks = Map.copyOf(watermarks);
        nextOffsets = Map.copyOf(nextOffsets);
    }

    /** One step of a plan. */
    public sealed interface Segment permits Changes, Truncate {
    }

    /** Row actions, at most one per green key, deletes safe to run before upserts. */
    public record Changes(List<GreenAction> actions) implements Segment {
        public Changes {
            actions = List.copyOf(actions);
        }
    }

    /** Truncate these green tables (the targets of a truncated blue table). */
    public record Truncate(List<TableId> tables, EventSource source) implements Segment {
        public Truncate {
            tables = List.copyOf(tables);
        }
    }
}
