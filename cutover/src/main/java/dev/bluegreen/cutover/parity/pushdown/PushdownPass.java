package dev.bluegreen.cutover.parity.pushdown;

import dev.bluegreen.core.event.Row;
import dev.bluegreen.cutover.parity.Difference;
import dev.bluegreen.cutover.parity.ParityListener;
import dev.bluegreen.cutover.parity.Throttle;
import dev.bluegreen.cutover.parity.compare.Expectation;
import dev.bluegreen.cutover.parity.compare.KeyCheck;
import dev.bluegreen.cutover.parity.compare.KeyInverse;
import dev.bluegreen.cutover.parity.compare.RowDiff;
import dev.bluegreen.cutover.parity.pushdown.ChunkHashSql.Aggregate;
import dev.bluegreen.cutover.parity.sql.BlueRead;
import dev.bluegreen.cutover.parity.sql.GreenReader;
import dev.bluegreen.cutover.parity.stream.PassResult;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.apache.commons.lang3.concurrent.BasicThreadFactory;

/**
 * The pushdown pass over one table. Blue's chunk of the next {@code n} keys (keyset pagination) and
 * green's matching key range are each hashed by their own server (see {@link ChunkHashSql}); only
 * counts and hashes travel. A differing range is bisected (halves by blue row count, each side hashed
 * again) until it holds at most {@link dev.bluegreen.cutover.parity.ParitySettings#bisectLeafRows()}
 * blue rows, whose rows are then read on both sides and compared through the transform, which yields
 * the exact keys. The first chunk's range is open below and the last one's open above, so green rows
 * outside blue's key range are found too. Needs a {@link PushdownPlan} (same key order on both sides).
 * Not thread-safe (one per table).
 */
public final class PushdownPass {

    private final PushdownPlan plan;
    private final KeyCheck check;
    private final KeyInverse inverse;
    private final Throttle throttle;
    private final ParityListener listener;
    private final int chunkRows;
    private final int leafRows;
    private final ChunkHashSql blueHash;
    private final ChunkHashSql greenHash;
    private final GreenReader green;
    private final List<Difference> differences = new ArrayList<>();
    private long readAt = -1;

    public PushdownPass(PushdownPlan plan, KeyCheck check, KeyInverse inverse, Throttle throttle,
                        ParityListener listener, int chunkRows, int leafRows) {
        this.plan = plan;
        this.check = check;
        this.inverse = inverse;
        this.throttle = throttle;
        this.listener = listener;
        this.chunkRows = chunkRows;
        this.leafRows = leafRows;
        this.green = check.greenReaders().get(0);
        this.blueHash = new ChunkHashSql(check.transform().blueTable(), plan.blueKey(), plan.blueColumns(),
                plan.blueTypes());
        this.greenHash = new ChunkHashSql(green.shape().table(), plan.greenKey(), plan.greenColumns(), plan.greenTypes());
    }

    /**
     * Runs the pass. Both servers work at once and mostly independently: the calling thread hashes
     * blue's chunks one after the other (blue's next chunk depends only on blue's last key) and hands
     * each chunk's key range to a thread of green's own, which hashes them in order; up to
     * {@link #MAX_PENDING} chunks may wait for green's hash, so neither server waits for the other per
     * chunk (S4 benchmark: lock step, blue waiting for green's chunk n before going past n + 1, left each
     * server idle for much of the pass). Chunks are still compared, narrowed and reported in key order,
     * on the calling thread, as soon as green's hash is there; the throttle counts blue's rows as read.
     *
     * @throws SQLException when a server fails
     * @throws InterruptedException when interrupted by the throttle
     */
    public PassResult run(DataSource blue, DataSource greenDs) throws SQLException, InterruptedException {
        ExecutorService greenSide = Executors.newSingleThreadExecutor(new BasicThreadFactory.Builder()
                .namingPattern("bluegreen-verify-green").daemon(true).build());
        try {
            return run(blue, greenDs, greenSide);
        } finally {
            greenSide.shutdownNow();
        }
    }

    /**
     * Most chunks blue may be ahead of green (chunks hashed on blue whose green hash is not yet
     * compared): bounds the memory (a few keys each) and how far blue's reads run ahead of the report.
     */
    static final int MAX_PENDING = 8;

    /** A chunk whose green hash is still being computed. */
    private record Pending(Row after, Row upTo, Aggregate blue, Future<Aggregate> green) {
    }

    private PassResult run(DataSource blue, DataSource greenDs, ExecutorService greenSide)
            throws SQLException, InterruptedException {
        long[] totals = new long[4]; // blue rows, green rows, chunks, differing
        Deque<Pending> pending = new ArrayDeque<>(MAX_PENDING + 1);
        Row after = null;
        boolean last;
        do {
            Aggregate b = blueHash.hash(blue, after, null, chunkRows);
            readAt = Math.max(readAt, b.clockMs());
            last = b.rows() < chunkRows;
            Row from = after;
            Row upTo = last ? null : b.lastKey();
            pending.addLast(new Pending(from, upTo, b,
                    greenSide.submit(() -> greenHash.hash(greenDs, green(from), green(upTo), 0))));
            after = b.lastKey() != null ? b.lastKey() : after;
            // compare what green has finished, in key order; wait only when blue is MAX_PENDING ahead
            while (!pending.isEmpty() && (pending.size() > MAX_PENDING || pending.peekFirst().green().isDone())) {
                finish(pending.pollFirst(), blue, greenDs, totals);
            }
            throttle.rowsRead((int) b.rows());
        } while (!last);
        while (!pending.isEmpty()) {
            finish(pending.pollFirst(), blue, greenDs, totals);
        }
        return new PassResult(totals[0], totals[1], totals[2], totals[3], differences, readAt);
    }

    private void finish(Pending p, DataSource blue, DataSource greenDs, long[] totals)
            throws SQLException, InterruptedException {
        Aggregate g;
        try {
            g = p.green().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            throw new SQLException("hashing green's range failed: " + e.getCause(), e.getCause());
        }
        totals[0] += p.blue().rows();
        totals[1] += g.rows();
        totals[2]++;
        if (!p.blue().sameAs(g)) {
            totals[3]++;
            narrow(blue, greenDs, p.after(), p.upTo(), p.blue().rows());
        }
        listener.chunkChecked(check.transform().blueTable(), p.blue().rows());
    }

    /** Narrows a differing range {@code (after, upTo]} holding {@code blueRows} blue rows. */
    private void narrow(DataSource blue, DataSource greenDs, Row after, Row upTo, long blueRows) throws SQLException {
        if (blueRows <= leafRows) {
            compareRows(blue, greenDs, after, upTo);
            return;
        }
        Aggregate lowBlue = blueHash.hash(blue, after, null, (int) (blueRows / 2));
        Row mid = lowBlue.lastKey();
        if (mid == null) { // blue's rows went away meanwhile
            compareRows(blue, greenDs, after, upTo);
            return;
        }
        Aggregate lowGreen = greenHash.hash(greenDs, green(after), green(mid), 0);
        Aggregate highBlue = blueHash.hash(blue, mid, upTo, 0);
        Aggregate highGreen = greenHash.hash(greenDs, green(mid), green(upTo), 0);
        if (!lowBlue.sameAs(lowGreen)) {
            narrow(blue, greenDs, after, mid, lowBlue.rows());
        }
        if (!highBlue.sameAs(highGreen)) {
            narrow(blue, greenDs, mid, upTo, highBlue.rows());
        }
    }

    private void compareRows(DataSource blue, DataSource greenDs, Row after, Row upTo) throws SQLException {
        BlueRead read = check.blueReader().range(blue, after, upTo);
        readAt = Math.max(readAt, read.clockMs());
        Expectation e = Expectation.ofRows(check.transform(), read.rows());
        differences.addAll(e.unconvertible());
        Map<Row, Row> actual = green.range(greenDs, green(after), green(upTo));
        differences.addAll(RowDiff.compare(green.shape().table(), e.expected(green.shape().table()), actual,
                k -> inverse.blueKey(k).orElse(null)));
    }

    /** A blue key bound as green's key (null stays open). */
    private Row green(Row blueKey) {
        return blueKey == null ? null : check.transform().mapKey(blueKey).get(0).row();
    }
}
