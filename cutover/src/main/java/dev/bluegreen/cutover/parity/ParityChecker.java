package dev.bluegreen.cutover.parity;

import dev.bluegreen.core.dialect.Engine;
import java.sql.Connection;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.cutover.parity.compare.KeyCheck;
import dev.bluegreen.cutover.parity.compare.KeyInverse;
import dev.bluegreen.cutover.parity.pushdown.PushdownPass;
import dev.bluegreen.cutover.parity.pushdown.PushdownPlan;
import dev.bluegreen.cutover.parity.recheck.Recheck;
import dev.bluegreen.cutover.parity.recheck.SinkWatermark;
import dev.bluegreen.core.control.AppliedWatermark;
import dev.bluegreen.cutover.parity.sql.BlueReader;
import dev.bluegreen.cutover.parity.sql.GreenReader;
import dev.bluegreen.cutover.parity.stream.PassResult;
import dev.bluegreen.cutover.parity.stream.StreamingPass;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parity checker (issue 3): proves, table by table, that green holds what blue holds seen through
 * the mapping, while replication may be live. Per table, in order:
 * <ol>
 *   <li>choose the path: pushdown when {@link PushdownPlan} allows it and the settings do not ask for
 *       streaming, else streaming ({@link StreamingPass}, {@link PushdownPass});</li>
 *   <li>run the pass: chunks in key order, hashes compared, differing chunks narrowed to keys;</li>
 *   <li>recheck the differing keys once the sink has applied past their blue read ({@link Recheck});</li>
 *   <li>end as {@code match}, {@code match after recheck (n keys)} or {@code mismatch (n keys)}.</li>
 * </ol>
 * Blue is only read in short read-only transactions (and, for the locked recheck of keys that keep
 * differing, one bounded transaction). Single-threaded; one instance per verify.
 */
public final class ParityChecker {

    private static final Logger LOG = LoggerFactory.getLogger(ParityChecker.class);
    private static final Duration WATERMARK_STALL = Duration.ofSeconds(15);

    private final DataSource blue;
    private final DataSource green;
    private final String pipeline;
    private final AppliedWatermark watermark;
    private final ParitySettings settings;
    private final ParityListener listener;
    private final Clock clock;
    private final Throttle throttle;
    private Engine blueEngine;

    /**
     * @param watermark how far the pipeline's sink has applied blue, across all table partitions; rechecks
     *     wait on it while the pipeline runs
     */
    public ParityChecker(DataSource blue, DataSource green, String pipeline, AppliedWatermark watermark,
                         ParitySettings settings, ParityListener listener, Clock clock) {
        this.blue = requireNonNull(blue, "blue is null");
        this.green = requireNonNull(green, "green is null");
        this.pipeline = requireNonNull(pipeline, "pipeline is null");
        this.watermark = requireNonNull(watermark, "watermark is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.throttle = Throttle.of(settings.maxRowsPerSecond());
    }

    /**
     * Verifies the tables and builds the report.
     *
     * @param complete whether {@code tables} are all the pipeline's tables
     * @throws BluegreenException (BLUE_UNAVAILABLE) when a server fails; INTERNAL_ERROR when interrupted
     */
    public ParityReport check(List<ParityTable> tables, String configFile, String configSha256, boolean complete) {
        Instant started = clock.instant();
        try {
            ParityPositions start = Positions.read(blue, green, pipeline);
            List<TableParity> results = new ArrayList<>();
            for (ParityTable t : tables) {
                results.add(checkTable(t));
            }
            ParityPositions end = Positions.read(blue, green, pipeline);
            return new ParityReport(pipeline, configFile, configSha256, settings, complete, started, clock.instant(),
                    start, end, results);
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.BLUE_UNAVAILABLE, pipeline + " - verify failed reading a server: "
                    + e.getMessage() + " (SQLState " + e.getSQLState() + "); nothing was changed, run it again", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BluegreenException(ErrorCode.INTERNAL_ERROR, pipeline + " - verify was interrupted", e);
        }
    }

    /**
     * Verifies one table.
     *
     * @throws SQLException when a server fails
     * @throws InterruptedException when interrupted while throttled or waiting for the sink
     */
    public TableParity checkTable(ParityTable t) throws SQLException, InterruptedException {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        Engine engine = blueEngine();
        BlueReader blueReader = new BlueReader(t.blueSchema(), t.transform().blueKeyColumns(), engine);
        List<GreenReader> greens = t.transform().targets().stream().map(GreenReader::new).toList();
        KeyCheck check = new KeyCheck(t.transform(), blueReader, greens, settings.chunkSizeRows());
        KeyInverse inverse = new KeyInverse(t);
        PushdownPlan.Eligibility eligibility = engine == Engine.POSTGRESQL ? PushdownPlan.of(t)
                : new PushdownPlan.Eligibility(null, "blue is " + engine.displayName() + ", whose rows cannot be hashed"
                        + " by the same SQL as green's");
        VerifyPath path = settings.path() != VerifyPath.STREAMING && eligibility.plan() != null
                ? VerifyPath.PUSHDOWN : VerifyPath.STREAMING;
        String reason = reason(eligibility, path);
        LOG.info("{} - verifying {} ({}: {})", pipeline, t.mapping().blue(), path.jsonName(), reason);
        listener.tableStarted(t.mapping().blue(), path, blueReader.estimateRows(blue));
        PassResult pass = path == VerifyPath.PUSHDOWN
                ? new PushdownPass(eligibility.plan(), check, inverse, throttle, listener, settings.chunkSizeRows(),
                        settings.bisectLeafRows()).run(blue, green)
                : new StreamingPass(check, inverse, throttle, listener, settings.chunkSizeRows()).run(blue, green);
        Recheck.Outcome outcome = new Recheck(settings, new SinkWatermark(green, pipeline, watermark, WATERMARK_STALL), check,
                inverse, blue, green).run(pass.differences(), pass.readAtMs());
        TableVerdict verdict = pass.differences().isEmpty() ? TableVerdict.MATCH
                : outcome.remaining().isEmpty() ? TableVerdict.MATCH_AFTER_RECHECK : TableVerdict.MISMATCH;
        TableParity result = new TableParity(t.mapping().blue(), greens.stream().map(g -> g.shape().table()).toList(),
                path, reason, pass.blueRows(), pass.greenRows(), pass.chunks(), pass.chunksDiffering(),
                outcome.recheckedKeys(), verdict, outcome.remaining(), started, (System.nanoTime() - t0) / 1_000_000);
        LOG.info("{} - {}: {} ({} rows, {} chunks, {} ms)", pipeline, t.mapping().blue(), result.verdictText(),
                result.blueRows(), result.chunks(), result.durationMs());
        listener.tableFinished(result);
        return result;
    }

    /** Blue's engine, told once by a connection's URL. */
    private Engine blueEngine() throws SQLException {
        if (blueEngine == null) {
            try (Connection c = blue.getConnection()) {
                Engine e = Engine.ofUrl(c.getMetaData().getURL());
                blueEngine = e == null ? Engine.POSTGRESQL : e;
            }
        }
        return blueEngine;
    }

    private String reason(PushdownPlan.Eligibility eligibility, VerifyPath used) {
        if (used == VerifyPath.PUSHDOWN) {
            return "the mapping is expressible in SQL on both sides";
        }
        if (settings.path() == VerifyPath.STREAMING) {
            return "streaming was asked for";
        }
        return "pushdown is not possible: " + eligibility.reason();
    }
}
