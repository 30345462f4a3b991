package dev.bluegreen.cli.pipeline;

import dev.bluegreen.capture.BinlogSnapshot;
import dev.bluegreen.capture.CaptureOffsets;
import dev.bluegreen.capture.DebeziumProperties;
import dev.bluegreen.capture.SchemaHistoryFiles;
import dev.bluegreen.capture.SnapshotSlot;
import dev.bluegreen.core.config.EndpointConfig;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.dialect.Engine;
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
 * snapshot (MariaDB: opens readers at one binlog position, {@link BinlogSnapshot}, and stores that position
 * as capture's start), plans the chunks in that snapshot and records plan, dropped indexes and the Kafka
 * offsets the sink will start from in one green transaction. {@link #run}, on the pipeline's backfill thread: copies,
 * releases the snapshot once every worker imported it, builds the indexes; the sink starts after it.
 * Not thread-safe apart from {@link #cancel}.
 */
final class InitialCopy {

    private static final Logger LOG = LoggerFactory.getLogger(InitialCopy.class);

    /** How long (s) the MariaDB consistent point's lock may wait for running statements. */
    static final int LOCK_WAIT_SECONDS = 10;

    private final PipelineConfig config;
    private final Backfill backfill;
    private final SnapshotSlot slot;
    private final BinlogSnapshot binlog;

    private InitialCopy(PipelineConfig config, Backfill backfill, SnapshotSlot slot, BinlogSnapshot binlog) {
        this.config = config;
        this.backfill = backfill;
        this.slot = slot;
        this.binlog = binlog;
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
        Engine engine = Engine.of(config.blue());
        BackfillStore store = new BackfillStore(name);
        List<BackfillTable> tables = new ArrayList<>();
        for (TableMapping m : config.tables()) {
            tables.add(new BackfillTable(engine, pipeline.blueTables().get(m.blue()), m,
                    pipeline.transforms().get(m.blue())));
        }
        Backfill backfill = new Backfill(name, config.backfill(), config.sink().deadLetterBudgetRows(), tables, listener);
        try (Connection g = green.getConnection(); Connection b = blue.getConnection()) {
            BackfillStore.State state = store.load(g);
            if (state != null && state.done()) {
                return null;
            }
            if (state != null && engine == Engine.MARIADB) {
                if (CaptureOffsets.read(config) == CaptureOffsets.State.NONE) {
                    throw new BluegreenException(ErrorCode.CAPTURE_FAILED, "the backfill of pipeline " + name
                            + " is unfinished but capture's stored binlog position (from the consistent point "
                            + state.consistentLsn() + ") is gone from " + config.workDir().resolve("capture")
                            + ": the changes since then cannot be found. Start over: stop the pipeline, run DELETE FROM"
                            + " bluegreen.backfill WHERE pipeline = '" + name + "' in green and empty green's target tables");
                }
                store.markResumed(g);
                LOG.info("{} - resuming the backfill started at binlog position {}: chunks already in green stay, the"
                        + " rest are read in a new snapshot (the stream from the consistent point overwrites them with"
                        + " their later changes)", name, state.consistentLsn());
                return new InitialCopy(config, backfill, null, null);
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
                return new InitialCopy(config, backfill, null, null);
            }
            boolean greenHasData = SnapshotRebuild.hasReplicatedData(g, name);
            if (CaptureOffsets.read(config) == CaptureOffsets.State.STREAMING && greenHasData) {
                // an earlier run (capture.snapshot initial or never) already fills green: keep streaming
                LOG.info("{} - capture already streams from a stored position into green; no initial copy", name);
                return null;
            }
            if (engine == Engine.POSTGRESQL && SnapshotSlot.exists(b, config.slotName())) {
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
        if (engine == Engine.MARIADB) {
            return prepareMariaDb(config, backfill, store, green, bootstrap);
        }
        SnapshotSlot slot = SnapshotSlot.create(config.blue(), config.slotName());
        try {
            List<Chunk> chunks;
            try (Connection b = open(config.blue())) {
                Backfill.beginPostgresSnapshot(b, slot.snapshotName());
                chunks = backfill.plan(b);
                try (Statement st = b.createStatement()) {
                    st.execute("COMMIT");
                }
            }
            Map<TopicPartition, Long> start = KafkaClients.endOffsets(config, bootstrap, DebeziumProperties.topics(config));
            try (Connection g = green.getConnection()) {
                g.setAutoCommit(false);
                store.create(g, slot.slotName(), slot.consistentPoint(), chunks);
                backfill.dropSecondaryIndexes(g);
                resetProgress(g, name);
                // the sink starts with the first change after the consistent point
                new OffsetStore(name).save(g, start);
                g.commit();
            }
            LOG.info("{} - backfill planned at consistent point {} (slot {}): {} chunk(s)", config.name(), slot.consistentPoint(),
                    slot.slotName(), chunks.size());
            return new InitialCopy(config, backfill, slot, null);
        } catch (SQLException | RuntimeException e) {
            slot.close();
            throw e instanceof BluegreenException be ? be : new BluegreenException(ErrorCode.BLUE_UNAVAILABLE,
                    "planning the backfill failed: " + e.getMessage() + "; nothing was copied", e);
        }
    }

    /**
     * MariaDB: readers at one binlog position ({@link BinlogSnapshot}); the plan is made in one of them, and
     * the position becomes capture's stored start, so Debezium streams from exactly there.
     */
    private static InitialCopy prepareMariaDb(PipelineConfig config, Backfill backfill, BackfillStore store,
                                              DataSource green, String bootstrap) {
        SchemaHistoryFiles.discard(config); // a new position: Debezium records the schema again
        BinlogSnapshot snapshot = BinlogSnapshot.open(config.blue(), config.backfill().parallelism(), LOCK_WAIT_SECONDS);
        try {
            List<Chunk> chunks;
            Connection planner = snapshot.take();
            try {
                chunks = backfill.plan(planner);
            } catch (SQLException | RuntimeException e) {
                planner.close();
                throw e;
            }
            snapshot.putBack(planner);
            Map<TopicPartition, Long> start = KafkaClients.endOffsets(config, bootstrap, DebeziumProperties.topics(config));
            try (Connection g = green.getConnection()) {
                g.setAutoCommit(false);
                store.create(g, BINLOG_SLOT, snapshot.position().toString(), chunks);
                backfill.dropSecondaryIndexes(g);
                resetProgress(g, config.name());
                new OffsetStore(config.name()).save(g, start);
                // capture's first start streams from the consistent point; written before green commits, so a
                // crash between the two leaves a position without a backfill, which the next start replaces
                CaptureOffsets.writeBinlogStart(config, snapshot.position());
                g.commit();
            }
            LOG.info("{} - backfill planned at binlog position {} (writes held {} ms): {} chunk(s)", config.name(),
                    snapshot.position(), snapshot.lockMs(), chunks.size());
            return new InitialCopy(config, backfill, null, snapshot);
        } catch (SQLException | RuntimeException e) {
            snapshot.close();
            throw e instanceof BluegreenException be ? be : new BluegreenException(ErrorCode.BLUE_UNAVAILABLE,
                    "planning the backfill failed: " + e.getMessage() + "; nothing was copied", e);
        }
    }

    /** What {@code bluegreen.backfill.slot_name} holds for a MariaDB blue, which has no replication slot. */
    static final String BINLOG_SLOT = "(binlog)";

    private static void resetProgress(Connection g, String name) throws SQLException {
        try (Statement st = g.createStatement()) {
            st.execute("UPDATE bluegreen.table_progress SET snapshot_rows = 0, events_applied = 0,"
                    + " snapshot_done = false WHERE pipeline = '" + name + "'");
            st.execute("DELETE FROM bluegreen.watermark WHERE pipeline = '" + name + "'");
        }
    }

    /** Copies, builds indexes and marks the backfill done; on the pipeline's backfill thread. */
    Backfill.Result run() {
        try {
            Backfill.BlueSessions sessions;
            if (Engine.of(config.blue()) == Engine.MARIADB) {
                sessions = new Backfill.BlueSessions() {
                    @Override
                    public Connection open() throws SQLException {
                        Connection c = binlog == null ? null : binlog.take();
                        if (c == null) {
                            // a resumed copy (or a worker beyond the readers): a snapshot of its own, taken now
                            c = InitialCopy.open(config.blue());
                            BinlogSnapshot.beginSnapshot(c);
                        }
                        return c;
                    }

                    @Override
                    public void allOpened() {
                        if (binlog != null) {
                            binlog.close();
                        }
                    }
                };
            } else {
                sessions = Backfill.postgres(config.name(), () -> open(config.blue()),
                        slot == null ? null : slot.snapshotName(), () -> {
                            if (slot != null) {
                                slot.close();
                            }
                        });
            }
            Backfill.Result r = backfill.run(sessions, () -> open(config.green()));
            LOG.info("{} - backfill done: {} rows read, {} written, {} dead-lettered, {} chunk(s), {} index(es) built,"
                    + " {} ms ({} rows/s)", config.name(), r.rowsCopied(), r.rowsWritten(), r.deadLetters(), r.chunks(),
                    r.indexesBuilt(), r.ms(), r.ms() == 0 ? r.rowsCopied() : r.rowsCopied() * 1000 / r.ms());
            return r;
        } finally {
            if (slot != null) {
                slot.close();
            }
            if (binlog != null) {
                binlog.close();
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
        Path file = config.workDir().resolve("capture").resolve(CaptureOffsets.FILE);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new BluegreenException(ErrorCode.CONFIG_INVALID, "cannot delete capture's stale offsets " + file
                    + ": " + e.getMessage(), e);
        }
    }
}
