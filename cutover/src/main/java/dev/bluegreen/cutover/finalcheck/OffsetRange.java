package dev.bluegreen.cutover.finalcheck;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The records {@code [fromOffset, toOffset)} of one topic partition.
 *
 * @param topic the topic
 * @param partition the partition, 0 or more
 * @param fromOffset the first offset to read, 0 or more
 * @param toOffset the offset after the last one to read, at least {@code fromOffset}
 */
public record OffsetRange(String topic, int partition, long fromOffset, long toOffset) {

    public OffsetRange {
        requireNonNull(topic, "topic is null");
        if (partition < 0 || fromOffset < 0 || toOffset < fromOffset) {
            throw new IllegalArgumentException("bad offset range " + topic + "/" + partition + " [" + fromOffset + ", "
                    + toOffset + ")");
        }
    }

    /** Records in the range. */
    public long size() {
        return toOffset - fromOffset;
    }

    /**
     * The non-empty ranges between two sets of the sink's next offsets ({@code "topic/partition"} to offset, as
     * stored in green), for the given topics only. A partition without a {@code from} offset starts at 0 (the
     * sink had applied nothing from it then).
     *
     * @param from where reading starts
     * @param to where it ends (the sink's offsets later)
     * @param topics the topics to read (the table topics; others, such as the heartbeat topic, are ignored)
     * @return the ranges sorted by topic and partition
     * @throws IllegalStateException when a {@code to} offset is missing or behind its {@code from} offset (the
     *     sink's offsets went back: green was rebuilt), or a key is not {@code topic/partition}
     */
    public static List<OffsetRange> between(Map<String, Long> from, Map<String, Long> to, Collection<String> topics) {
        List<OffsetRange> out = new ArrayList<>();
        for (Map.Entry<String, Long> e : new TreeMap<>(to).entrySet()) {
            String topic = topicOf(e.getKey());
            if (!topics.contains(topic)) {
                continue;
            }
            long start = from.getOrDefault(e.getKey(), 0L);
            if (e.getValue() < start) {
                throw behind(e.getKey(), start, e.getValue());
            }
            if (e.getValue() > start) {
                out.add(new OffsetRange(topic, partitionOf(e.getKey()), start, e.getValue()));
            }
        }
        for (Map.Entry<String, Long> e : from.entrySet()) {
            if (topics.contains(topicOf(e.getKey())) && !to.containsKey(e.getKey())) {
                throw behind(e.getKey(), e.getValue(), -1);
            }
        }
        return out;
    }

    private static IllegalStateException behind(String partition, long from, long to) {
        return new IllegalStateException("the sink's offset of " + partition + " is " + (to < 0 ? "gone" : to)
                + ", behind " + from + " where the range starts: were green's offsets reset (a rebuild)? run"
                + " bluegreen verify again");
    }

    private static String topicOf(String key) {
        int slash = key.lastIndexOf('/');
        if (slash <= 0 || slash == key.length() - 1) {
            throw new IllegalStateException("sink offset key '" + key + "' is not topic/partition");
        }
        return key.substring(0, slash);
    }

    private static int partitionOf(String key) {
        try {
            return Integer.parseInt(key.substring(key.lastIndexOf('/') + 1));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("sink offset key '" + key + "' is not topic/partition", e);
        }
    }
}
