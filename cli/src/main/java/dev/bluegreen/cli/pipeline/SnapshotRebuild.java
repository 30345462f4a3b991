package dev.bluegreen.cli.pipeline;

import dev.bluegreen.capture.CaptureOffsets;
import dev.bluegreen.capture.DebeziumProperties;
import dev.bluegreen.core.dialect.postgres.PostgresDialect;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.sink.offset.OffsetStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards against a silent loss that a second snapshot would cause. When Debezium has no finished
 * position (it crashed before its first offset flush, or during the snapshot) it snapshots again;
 * a snapshot only upserts the rows that exist now, so rows deleted on blue since green got them
 * would stay in green. When that is about to happen and green already holds replicated data, the
 * green targets are emptied and the sink skips every older event in Kafka (the new snapshot
 * supersedes them), all in one green transaction; then the snapshot rebuilds green. Stateless.
 */
final class SnapshotRebuild {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotRebuild.class);

    private SnapshotRebuild() {
    }

    /** Runs the check and, when needed, the rebuild; call before sink and capture start. */
    static void prepare(ValidatedPipeline pipeline, DataSource green, String bootstrap) {
        String name = pipeline.config().name();
        if (!"initial".equals(pipeline.config().capture().snapshot())) {
            return;
        }
        CaptureOffsets.State state = CaptureOffsets.read(pipeline.config());
        if (state == CaptureOffsets.State.STREAMING) {
            return;
        }
        try (Connection c = green.getConnection()) {
            if (!hasReplicatedData(c, name)) {
                return;
            }
            LOG.warn("{} - capture has {} but green already holds replicated rows: Debezium will snapshot again, so"
                    + " green's target tables are emptied and rebuilt from the new snapshot (rows deleted on blue"
                    + " meanwhile would otherwise stay in green)", name,
                    state == CaptureOffsets.State.NONE ? "no stored position" : "an unfinished snapshot");
            Map<TopicPartition, Long> end = KafkaClients.endOffsets(pipeline.config(), bootstrap,
                    DebeziumProperties.topics(pipeline.config()));
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                for (TableId t : pipeline.targetShapes().keySet()) {
                    st.execute(PostgresDialect.INSTANCE.truncate(t));
                }
                st.execute("UPDATE bluegreen.table_progress SET snapshot_rows = 0, events_applied = 0,"
                        + " snapshot_done = false WHERE pipeline = '" + name + "'");
                // watermarks applied before the rebuild say nothing about the truncated tables
                st.execute("DELETE FROM bluegreen.watermark WHERE pipeline = '" + name + "'");
            }
            new OffsetStore(name).save(c, end);
            c.commit();
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.GREEN_UNAVAILABLE, "preparing green for a new snapshot failed: "
                    + e.getMessage() + "; nothing was started", e);
        }
    }

    /** True when this pipeline's sink has applied change events to green (stored offsets past 0). */
    static boolean hasReplicatedData(Connection c, String pipeline) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM bluegreen.sink_offset"
                + " WHERE pipeline = ? AND next_offset > 0)")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
