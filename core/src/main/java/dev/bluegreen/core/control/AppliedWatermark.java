package dev.bluegreen.core.control;

import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.event.Markers;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * How far the sink has applied blue, across ALL table topics: the oldest of the newest watermark
 * markers applied in every partition ({@code bluegreen.watermark}, see {@link Markers}). Because
 * capture writes a watermark into every partition after all earlier changes, "applied through
 * heartbeat N" holds exactly when every partition's applied watermark has {@code beats >= N}; a
 * single heartbeat topic could not say that (the consumer may read one partition ahead of another).
 * A partition that has applied no watermark yet makes the whole watermark unknown (empty).
 *
 * <p>Thread-safe; every call opens and closes one green connection.
 */
public final class AppliedWatermark {

    private static final long POLL_MS = 10;

    private final DataSource green;
    private final String pipeline;
    private final List<String> topics;
    private final int partitions;

    /** For the mapped tables of {@code config}, with {@code config.kafka().partitions()} partitions per topic. */
    public AppliedWatermark(DataSource green, PipelineConfig config) {
        this(green, config.name(), config.tableTopics(), config.kafka().partitions());
    }

    /**
     * @param topics the table topics that must all carry the watermark
     * @param partitions partitions per topic that must all carry it (0 .. partitions-1)
     */
    public AppliedWatermark(DataSource green, String pipeline, List<String> topics, int partitions) {
        this.green = green;
        this.pipeline = pipeline;
        this.topics = List.copyOf(topics);
        this.partitions = partitions;
    }

    /**
     * The watermark applied in every partition: the one with the fewest beats.
     *
     * @return empty when some partition has applied no watermark yet (or green has no control schema)
     * @throws SQLException when green cannot be read
     */
    public Optional<Markers.Watermark> applied() throws SQLException {
        try (Connection c = green.getConnection()) {
            return applied(c);
        }
    }

    /** As {@link #applied()}, on a connection the caller owns. */
    public Optional<Markers.Watermark> applied(Connection c) throws SQLException {
        Array topicArray = c.createArrayOf("text", topics.toArray());
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FILTER (WHERE kafka_partition < ?),"
                + " min(beats), (array_agg(blue_commit_ms ORDER BY beats))[1], (array_agg(blue_lsn ORDER BY beats))[1]"
                + " FROM bluegreen.watermark WHERE pipeline = ? AND topic = ANY (?)")) {
            ps.setInt(1, partitions);
            ps.setString(2, pipeline);
            ps.setArray(3, topicArray);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) < (long) topics.size() * partitions) {
                    return Optional.empty();
                }
                return Optional.of(new Markers.Watermark(rs.getLong(2), rs.getLong(3), rs.getString(4)));
            }
        }
    }

    /**
     * Waits until every partition has applied a watermark with at least {@code beats}.
     *
     * @param timeout give up after this long
     * @return true when reached, false on timeout
     * @throws SQLException when green cannot be read
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean awaitBeats(long beats, Duration timeout) throws SQLException, InterruptedException {
        return awaitBeats(beats, timeout, Duration.ofMillis(POLL_MS));
    }

    /**
     * As {@link #awaitBeats(long, Duration)}, reading green every {@code pollInterval} instead of every
     * {@value #POLL_MS} ms: the cutover's drain, inside the freeze, polls more often (each read is one short query
     * on one connection).
     *
     * @param pollInterval the pause between two reads of green, at least 1 ms
     * @throws IllegalArgumentException when {@code pollInterval} is under 1 ms
     */
    public boolean awaitBeats(long beats, Duration timeout, Duration pollInterval)
            throws SQLException, InterruptedException {
        long sleepMs = pollInterval.toMillis();
        if (sleepMs < 1) {
            throw new IllegalArgumentException("pollInterval must be at least 1 ms, got " + pollInterval);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = green.getConnection()) {
            while (true) {
                Optional<Markers.Watermark> w = applied(c);
                if (w.isPresent() && w.get().beats() >= beats) {
                    return true;
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(sleepMs);
            }
        }
    }
}
