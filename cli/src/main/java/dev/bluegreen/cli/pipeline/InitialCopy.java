package dev.bluegreen.cli.pipeline;

import dev.bluegreen.capture.CaptureOffsets;
import dev.bluegreen.capture.DebeziumProperties;
import dev.bluegreen.capture.SnapshotSlot;
import dev.bluegreen.core.config.EndpointConfig;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.dialect.postgres.PostgresDialect;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.sink.backfill.Backfill;
import dev.bluegreen.sink.backfill.BackfillStore;
import dev.bluegreen.sink.backfill.BackfillTable;
import dev.bluegreen.sink.backfill.Chunk;
import dev.bluegreen.sink.offset.OffsetStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's side of {@code capture.snapshot: copy}. {@link #prepare}, before capture starts: decides
 * whether a copy is needed (none, new, or resumed), and for a new one creates the slot with its exported
 * snapshot, plans the chunks in that snapshot and records plan, dropped indexes and the Kafka offsets the
 * sink will start from in one green transaction. {@link #run}, on the pipeline's backfill thread: copies,
 * releases the snapshot once every worker imported it, builds the indexes; the sink starts after it.
 * Not thread-safe apart from {@link #cancel}.
 */
final class InitialCopy {

    private static final Logger LOG = LoggerFactory.getLogger(InitialCopy.class);

    private final PipelineConfig config;
    private final Backfill backfill;
    private final SnapshotSlot slot;

    private InitialCopy(PipelineConfig config, Backfill backfill, SnapshotSlot slot) {
        this.config = config;
        this.backfill = backfill;
        this.slot = slot;
    }

    /**
     * Prepares the copy, or returns null when there is none to run.
     *
     * @throws BluegreenException when green's targets hold rows bluegreen did not write, the slot a resumed
     *     copy needs is gone, or a server fails
     */
    static InitialCopy prepare(ValidatedPipeline pipeline, DataSource blue, DataSource green, String bootstrap,
                               Backfill.Listener listener) {
        PipelineConfig config = pipeline.config();
        if (!"copy".equals(config.capture().snapshot())) {
            return null;
        }
        String name = config.name();
        BackfillStore store = new BackfillStore(name);
        List<BackfillTable> tables = new ArrayList<>();
        for (TableMapping m : config.tables()) {
            tables.add(new BackfillTable(pipeline.blueTables().get(m.blue()), m, pipeline.transforms().get(m.blue())));
        }
        Backfill backfill = new Backfill(name, config.backfill(), config.sink().deadLetterBudgetRows(), tables, listener);
        try (Connection g = green.getConnection(); Connection b = blue.getConnection()) {
            BackfillStore.State state = store.load(g);
            if (state != null && state.done()) {
                return null;
            }
            if (state != null) {
                if (!SnapshotSlot.exists(b, config.slotName())) {
                    throw new BluegreenException(ErrorCode.CAPTURE_FAILED, "the backfill of pipeline " + name
                            + " is unfinished but replication slot " + config.slotName() + ", whose stream starts at its"
                            + " consistent point " + state.consistentLsn() + ", is gone: the changes since then are"
                            + " lost. Start over: stop the pipeline, run DELETE FROM bluegreen.backfill WHERE pipeline = '"
                            + name + "' in green, empty green's target tables and delete " + config.workDir().resolve("capture"));
                }
                store.markResumed(g);
                LOG.info("{} - resuming the backfill started at {}: chunks already in green stay, the rest are read in a"
                        + " new snapshot (the stream from the consistent point overwrites them with their later changes)",
                        name, state.consistentLsn());
                return new InitialCopy(config, backfill, null);
            }
            boolean greenHasData = SnapshotRebuild.hasReplicatedData(g, name);
            if (CaptureOffsets.read(config) == CaptureOffsets.State.STREAMING && greenHasData) {
                // an earlier run (capture.snapshot initial or never) already fills green: keep streaming
                LOG.info("{} - capture already streams from a stored position into green; no initial copy", name);
                return null;
            }
            if (SnapshotSlot.exists(b, config.slotName())) {
                // ours (named after the pipeline), and nothing streamed from it: a leftover of a start that
                // did not get as far as recording a backfill
                LOG.info("{} - dropping replication slot {} left by an earlier start; a new one marks the copy's"
                        + " consistent point", name, config.slotName());
                SnapshotSlot.drop(b, config.slotName());
            }
            // a stored position without data in green belongs to another green (or an older slot): stale
            deleteCaptureOffsets(config);
            prepareTargets(g, pipeline, greenHasData);
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.GREEN_UNAVAILABLE, "preparing the backfill failed: " + e.getMessage(), e);
        }
        SnapshotSlot slot = SnapshotSlot.create(config.blue(), config.slotName());
        try {
            List<Chunk> chunks;
            try (Connection b = open(config.blue())) {
                chunks = backfill.plan(b, slot.snapshotName());
            }
            Map<TopicPartition, Long> start = KafkaClients.endOffsets(config, bootstrap, DebeziumProperties.topics(config));
            try (Connection g = green.getConnection()) {
                g.setAutoCommit(false);
                store.create(g, slot.slotName(), slot.consistentPoint(), chunks);
                backfill.dropSecondaryIndexes(g);
                try (Statement st = g.createStatement()) {
                    st.execute("UPDATE bluegreen.table_progress SET snapshot_rows = 0, events_applied = 0,"
                            + " snapshot_done = false WHERE pipeline = '" + name + "'");
                    st.execute("DELETE FROM bluegreen.watermark WHERE pipeline = '" + name + "'");
                }
                // the sink starts with the first change after the consistent point
                new OffsetStore(name).save(g, start);
                g.commit();
            }
            LOG.info("{} - backfill planned at consistent point {} (slot {}): {} chunk(s)", name, slot.consistentPoint(),
                    slot.slotName(), chunks.size());
            return new InitialCopy(config, backfill, slot);
        } catch (SQLException | RuntimeException e) {
            slot.close();
            throw e instanceof BluegreenException be ? be : new BluegreenException(ErrorCode.BLUE_UNAVAILABLE,
                    "planning the backfill failed: " + e.getMessage() + "; nothing was copied", e);
        }
    }

    /** Copies, builds indexes and marks the backfill done; on the pipeline's backfill thread. */
    Backfill.Result run() {
        try {
            Backfill.Result r = backfill.run(() -> open(config.blue()), () -> open(config.green()),
                    slot == null ? null : slot.snapshotName(), () -> {
                        if (slot != null) {
                            slot.close();
                        }
                    });
            LOG.info("{} - backfill done: {} rows read, {} written, {} dead-lettered, {} chunk(s), {} index(es) built,"
                    + " {} ms ({} rows/s)", config.name(), r.rowsCopied(), r.rowsWritten(), r.deadLetters(), r.chunks(),
                    r.indexesBuilt(), r.ms(), r.ms() == 0 ? r.rowsCopied() : r.rowsCopied() * 1000 / r.ms());
            return r;
        } finally {
            if (slot != null) {
                slot.close();
            }
        }
    }

    /** Stops the copy after the rows in flight. Any thread. */
    void cancel() {
        backfill.cancel();
    }

    private static Connection open(EndpointConfig e) throws SQLException {
        return DriverManager.getConnection(e.jdbcUrl(), e.user(), e.password());
    }

    /**
     * Green's targets must be empty for COPY. Rows that bluegreen itself replicated there (its sink has
     * stored offsets) are removed; rows of unknown origin stop the start.
     */
    private static void prepareTargets(Connection g, ValidatedPipeline pipeline, boolean ours) throws SQLException {
        for (TableId t : pipeline.targetShapes().keySet()) {
            boolean empty;
            try (Statement st = g.createStatement();
                 ResultSet rs = st.executeQuery("SELECT NOT EXISTS (SELECT 1 FROM " + PostgresDialect.INSTANCE.table(t) + ")")) {
                rs.next();
                empty = rs.getBoolean(1);
            }
            if (empty) {
                continue;
            }
            if (!ours) {
                throw new BluegreenException(ErrorCode.CONFIG_INVALID, "green table " + t + " already holds rows that"
                        + " bluegreen did not write; the initial copy needs empty targets. Empty it (TRUNCATE " + t
                        + ") if those rows may go, or set capture.snapshot: initial to upsert blue's rows over them");
            }
            LOG.warn("{} - emptying green table {} for a new initial copy (its rows came from an earlier run of this"
                    + " pipeline)", pipeline.config().name(), t);
            try (Statement st = g.createStatement()) {
                st.execute(PostgresDialect.INSTANCE.truncate(t));
            }
        }
    }

    private static void deleteCaptureOffsets(PipelineConfig config) {
        Path file = config.workDir().resolve("capture").resolve("offsets.dat");
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new BluegreenException(ErrorCode.CONFIG_INVALID, "cannot delete capture's stale offsets " + file
                    + ": " + e.getMessage(), e);
        }
    }
}
