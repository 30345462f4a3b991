package dev.bluegreen.cutover.parity;

import dev.bluegreen.core.position.Lsn;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where blue and green stood at one moment of a verify.
 *
 * @param blueLsn blue's {@code pg_current_wal_lsn()}; null for a MariaDB blue
 * @param greenSinkOffsets the sink's next Kafka offsets stored in green ({@code topic/partition} to offset);
 *     empty when the pipeline never ran
 * @param sinkAppliedBlueCommitMs blue commit time of the newest heartbeat the sink applied (epoch ms), or -1
 */
public record ParityPositions(Lsn blueLsn, Map<String, Long> greenSinkOffsets, long sinkAppliedBlueCommitMs) {

    public ParityPositions {
        greenSinkOffsets = new TreeMap<>(greenSinkOffsets);
    }

    @Override
    public Map<String, Long> greenSinkOffsets() {
        return java.util.Collections.unmodifiableMap(greenSinkOffsets);
    }
}
