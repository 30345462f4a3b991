package dev.bluegreen.cutover.parity.stream;

import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.cutover.parity.Difference;
import dev.bluegreen.cutover.parity.DifferenceKind;
import dev.bluegreen.cutover.parity.ParityListener;
import dev.bluegreen.cutover.parity.Throttle;
import dev.bluegreen.cutover.parity.compare.CanonicalEncoding;
import dev.bluegreen.cutover.parity.compare.ChunkDigest;
import dev.bluegreen.cutover.parity.compare.Expectation;
import dev.bluegreen.cutover.parity.compare.Expectation.Expected;
import dev.bluegreen.cutover.parity.compare.KeyCheck;
import dev.bluegreen.cutover.parity.compare.KeyInverse;
import dev.bluegreen.cutover.parity.compare.RowDiff;
import dev.bluegreen.cutover.parity.sql.BlueRead;
import dev.bluegreen.cutover.parity.sql.GreenReader;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The streaming pass over one table. Blue is read in key order in chunks (keyset pagination, one short
 * read-only transaction each); every row runs through the transform; green is read by the chunk's
 * mapped keys (not by range: after a cast, green's key order may differ from blue's, e.g. text keys
 * under another collation); the SHA-256 of the chunk's expected rows is compared with that of green's
 * rows, and only a differing chunk is compared row by row (both sides are in memory, so the narrowing
 * goes from the chunk straight to its keys). A final pass reads green's keys in green order and looks
 * up every key no blue row produced (a 64-bit SHA-256 fingerprint per expected key is kept): those are
 * extra rows, or rows inserted on blue after their chunk was read. Not thread-safe (one per table).
 */
public final class StreamingPass {

    private final KeyCheck check;
    private final KeyInverse inverse;
    private final Throttle throttle;
    private final ParityListener listener;
    private final int chunkRows;
    private final Set<Long> seen = new HashSet<>();
    private final List<Difference> differences = new ArrayList<>();
    private long blueRows;
    private long greenRows;
    private long chunks;
    private long chunksDiffering;
    private long readAt = -1;

    public StreamingPass(KeyCheck check, KeyInverse inverse, Throttle throttle, ParityListener listener, int chunkRows) {
        this.check = check;
        this.inverse = inverse;
        this.throttle = throttle;
        this.listener = listener;
        this.chunkRows = chunkRows;
    }

    /**
     * Runs the pass.
     *
     * @throws SQLException when a server fails
     * @throws InterruptedException when interrupted by the throttle
     */
    public PassResult run(DataSource blue, DataSource green) throws SQLException, InterruptedException {
        Row after = null;
        BlueRead read;
        do {
            read = check.blueReader().chunk(blue, after, chunkRows);
            throttle.rowsRead(read.rows().size());
            compareChunk(green, read);
            if (!read.rows().isEmpty()) {
                after = read.rows().get(read.rows().size() - 1).project(check.transform().blueKeyColumns());
            }
        } while (read.rows().size() == chunkRows);
        findExtras(blue, green);
        return new PassResult(blueRows, greenRows, chunks, chunksDiffering, differences, readAt);
    }

    private void compareChunk(DataSource green, BlueRead read) throws SQLException {
        readAt = Math.max(readAt, read.clockMs());
        blueRows += read.rows().size();
        chunks++;
        Expectation e = Expectation.ofRows(check.transform(), read.rows());
        boolean differs = !e.unconvertible().isEmpty();
        differences.addAll(e.unconvertible());
        e.unconvertible().stream().filter(d -> d.greenKey() != null)
                .forEach(d -> seen.add(CanonicalEncoding.fingerprint(d.greenKey())));
        for (GreenReader g : check.greenReaders()) {
            TableId t = g.shape().table();
            Map<Row, Expected> expected = e.expected(t);
            List<Row> keys = new ArrayList<>(expected.keySet());
            keys.forEach(k -> seen.add(CanonicalEncoding.fingerprint(k)));
            Map<Row, Row> actual = g.byKeys(green, keys);
            greenRows += actual.size();
            Map<Row, Row> want = new LinkedHashMap<>();
            expected.forEach((k, v) -> want.put(k, v.row()));
            if (!ChunkDigest.of(keys, want).equals(ChunkDigest.of(keys, actual))) {
                differs = true;
                differences.addAll(RowDiff.compare(t, expected, actual, k -> null));
            }
        }
        if (differs) {
            chunksDiffering++;
        }
        listener.chunkChecked(check.transform().blueTable(), read.rows().size());
    }

    /** Green keys no blue row produced: extra rows, or blue rows newer than their chunk. */
    private void findExtras(DataSource blue, DataSource green) throws SQLException {
        for (GreenReader g : check.greenReaders()) {
            Row after = null;
            List<Row> keys;
            do {
                keys = g.keysAfter(green, after, chunkRows);
                List<Row> unseen = keys.stream().filter(k -> !seen.contains(CanonicalEncoding.fingerprint(k))).toList();
                greenRows += unseen.size();
                if (!unseen.isEmpty()) {
                    lookUp(blue, green, g, unseen);
                }
                if (!keys.isEmpty()) {
                    after = keys.get(keys.size() - 1);
                }
            } while (keys.size() == chunkRows);
        }
    }

    private void lookUp(DataSource blue, DataSource green, GreenReader g, List<Row> greenKeys) throws SQLException {
        Set<Row> blueKeys = new LinkedHashSet<>();
        List<Row> orphans = new ArrayList<>();
        for (Row k : greenKeys) {
            Optional<Row> b = inverse.blueKey(k);
            if (b.isPresent()) {
                blueKeys.add(b.get());
            } else {
                orphans.add(k);
            }
            seen.add(CanonicalEncoding.fingerprint(k)); // looked up once, whichever target found it
        }
        KeyCheck.Result r = check.check(blue, green, new ArrayList<>(blueKeys));
        readAt = Math.max(readAt, r.blueClockMs());
        differences.addAll(r.differences());
        Map<Row, Row> rows = orphans.isEmpty() ? Map.of() : g.byKeys(green, orphans);
        rows.forEach((k, row) -> differences.add(new Difference(DifferenceKind.EXTRA_IN_GREEN, g.shape().table(), null,
                k, List.of(), null, row, "no blue key maps to this green key")));
    }
}
