package dev.bluegreen.cutover.parity.compare;

import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.cutover.parity.Difference;
import dev.bluegreen.cutover.parity.sql.BlueRead;
import dev.bluegreen.cutover.parity.sql.BlueReader;
import dev.bluegreen.cutover.parity.sql.GreenReader;
import dev.bluegreen.transform.RowTransform;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Compares the rows of given blue keys with green: reads them on blue (one short transaction per
 * batch), runs them through the transform, reads the mapped keys on every green target, and reports
 * what differs, including green rows under the key of a blue row that is gone or filtered out.
 * Thread-safe.
 */
public final class KeyCheck {

    /**
     * @param differences what differs
     * @param blueClockMs blue's clock after the last blue read (epoch ms)
     */
    public record Result(List<Difference> differences, long blueClockMs) {
    }

    private final RowTransform transform;
    private final BlueReader blue;
    private final List<GreenReader> greens;
    private final int batchKeys;

    /**
     * @param batchKeys most keys per read (rows)
     */
    public KeyCheck(RowTransform transform, BlueReader blue, List<GreenReader> greens, int batchKeys) {
        this.transform = transform;
        this.blue = blue;
        this.greens = List.copyOf(greens);
        this.batchKeys = batchKeys;
    }

    /**
     * Checks blue keys, in batches.
     *
     * @throws SQLException when a server fails
     */
    public Result check(DataSource blueDs, DataSource greenDs, List<Row> blueKeys) throws SQLException {
        List<Difference> out = new ArrayList<>();
        long clock = -1;
        for (int from = 0; from < blueKeys.size(); from += batchKeys) {
            List<Row> batch = blueKeys.subList(from, Math.min(blueKeys.size(), from + batchKeys));
            BlueRead read = blue.byKeys(blueDs, batch);
            clock = Math.max(clock, read.clockMs());
            out.addAll(compare(greenDs, Expectation.ofKeys(transform, batch, read.rows())));
        }
        return new Result(out, clock);
    }

    /**
     * Compares an expectation with green: every probed key of every target.
     *
     * @throws SQLException when green fails
     */
    public List<Difference> compare(DataSource greenDs, Expectation e) throws SQLException {
        List<Difference> out = new ArrayList<>(e.unconvertible());
        for (GreenReader g : greens) {
            TableId t = g.shape().table();
            Map<Row, Row> probes = e.probes(t);
            Map<Row, Row> actual = g.byKeys(greenDs, new ArrayList<>(probes.keySet()));
            out.addAll(RowDiff.compare(t, e.expected(t), actual, probes::get));
        }
        return out;
    }

    /** The transform. */
    public RowTransform transform() {
        return transform;
    }

    /** The blue reader. */
    public BlueReader blueReader() {
        return blue;
    }

    /** The green readers, one per target. */
    public List<GreenReader> greenReaders() {
        return greens;
    }
}
