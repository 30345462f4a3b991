package dev.bluegreen.cutover.parity.compare;

import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.cutover.parity.Difference;
import dev.bluegreen.cutover.parity.DifferenceKind;
import dev.bluegreen.cutover.parity.compare.Expectation.Expected;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Row-by-row comparison of expected green rows with the rows green holds, by green key. Stateless.
 */
public final class RowDiff {

    private RowDiff() {
    }

    /**
     * Compares.
     *
     * @param expected rows green must hold, by green key
     * @param actual rows green holds, by green key: the rows of a key range, or of probed keys
     * @param blueKeyOf the blue key of a green key green holds without expecting it (may return null)
     * @return one difference per missing, extra or differing row
     */
    public static List<Difference> compare(TableId table, Map<Row, Expected> expected, Map<Row, Row> actual,
                                           Function<Row, Row> blueKeyOf) {
        List<Difference> out = new ArrayList<>();
        for (Map.Entry<Row, Expected> e : expected.entrySet()) {
            Row want = e.getValue().row();
            Row have = actual.get(e.getKey());
            if (have == null) {
                out.add(new Difference(DifferenceKind.MISSING_IN_GREEN, table, e.getValue().blueKey(), e.getKey(),
                        List.of(), want, null, null));
            } else if (!want.equals(have)) {
                out.add(new Difference(DifferenceKind.DIFFERING, table, e.getValue().blueKey(), e.getKey(),
                        differingColumns(want, have), want, have, null));
            }
        }
        for (Map.Entry<Row, Row> a : actual.entrySet()) {
            if (!expected.containsKey(a.getKey())) {
                out.add(new Difference(DifferenceKind.EXTRA_IN_GREEN, table, blueKeyOf.apply(a.getKey()), a.getKey(),
                        List.of(), null, a.getValue(), null));
            }
        }
        return out;
    }

    /** Columns whose canonical values differ (both rows in the same shape). */
    public static List<String> differingColumns(Row want, Row have) {
        List<String> out = new ArrayList<>();
        for (String c : want.columns()) {
            Object w = want.get(c);
            Object h = have.has(c) ? have.get(c) : null;
            boolean same = w instanceof Object[] x && h instanceof Object[] y ? Arrays.deepEquals(x, y) : Objects.equals(w, h);
            if (!same) {
                out.add(c);
            }
        }
        return out;
    }
}
