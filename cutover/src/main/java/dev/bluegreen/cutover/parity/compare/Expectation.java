package dev.bluegreen.cutover.parity.compare;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.cutover.parity.Difference;
import dev.bluegreen.cutover.parity.DifferenceKind;
import dev.bluegreen.transform.MappedRow;
import dev.bluegreen.transform.RowTransform;
import dev.bluegreen.transform.TargetShape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What green must hold for a set of blue rows: each blue row run through the transform, per target,
 * by green key. Also the green keys to probe: the expected keys, plus (for key lookups) the mapped key
 * of every requested blue key, so that a green row under the key of a blue row that is gone or
 * filtered out shows up as extra. Blue rows the transform rejects become
 * {@link DifferenceKind#UNCONVERTIBLE} differences. Immutable once built; not thread-safe while built.
 */
public final class Expectation {

    /** One expected green row and the blue key it comes from. */
    public record Expected(Row blueKey, Row row) {
    }

    private final Map<TableId, Map<Row, Expected>> expected = new LinkedHashMap<>();
    private final Map<TableId, Map<Row, Row>> probes = new LinkedHashMap<>();
    private final List<Difference> unconvertible = new ArrayList<>();

    private Expectation(RowTransform transform) {
        for (TargetShape t : transform.targets()) {
            expected.put(t.table(), new LinkedHashMap<>());
            probes.put(t.table(), new LinkedHashMap<>());
        }
    }

    /**
     * Maps blue rows (a chunk or a range: only their own keys are probed).
     */
    public static Expectation ofRows(RowTransform transform, List<Row> blueRows) {
        Expectation e = new Expectation(transform);
        blueRows.forEach(r -> e.add(transform, r));
        return e;
    }

    /**
     * Maps the blue rows found for {@code requestedKeys} (blue keys), and probes the mapped key of every
     * requested key, found or not.
     */
    public static Expectation ofKeys(RowTransform transform, List<Row> requestedKeys, List<Row> blueRows) {
        Expectation e = ofRows(transform, blueRows);
        for (Row k : requestedKeys) {
            try {
                for (MappedRow m : transform.mapKey(k)) {
                    e.probes.get(m.table()).putIfAbsent(m.row(), k);
                }
            } catch (RowConversionException ex) {
                // a key no green key can come from: nothing to probe
            }
        }
        return e;
    }

    private void add(RowTransform transform, Row blueRow) {
        Row blueKey = blueRow.project(transform.blueKeyColumns());
        List<MappedRow> mapped;
        try {
            mapped = transform.map(blueRow);
        } catch (RowConversionException ex) {
            unconvertible.add(unconvertible(transform, blueKey, ex));
            return;
        }
        for (MappedRow m : mapped) {
            TargetShape shape = shape(transform, m.table());
            Row greenKey = m.row().project(shape.keyColumns());
            expected.get(m.table()).put(greenKey, new Expected(blueKey, m.row()));
            probes.get(m.table()).put(greenKey, blueKey);
        }
    }

    private static Difference unconvertible(RowTransform transform, Row blueKey, RowConversionException ex) {
        Row greenKey = null;
        TableId table = transform.targets().get(0).table();
        try {
            greenKey = transform.mapKey(blueKey).get(0).row();
        } catch (RowConversionException keyEx) {
            // the key itself cannot be mapped; the blue key identifies the row
        }
        return new Difference(DifferenceKind.UNCONVERTIBLE, table, blueKey, greenKey, List.of(), null, null,
                ex.getMessage());
    }

    private static TargetShape shape(RowTransform transform, TableId table) {
        return transform.targets().stream().filter(s -> s.table().equals(table)).findFirst().orElseThrow();
    }

    /** Expected rows of a target, by green key, in blue order. */
    public Map<Row, Expected> expected(TableId target) {
        return expected.get(target);
    }

    /** Green keys to read from a target, each with the blue key it comes from. */
    public Map<Row, Row> probes(TableId target) {
        return probes.get(target);
    }

    /** Blue rows the transform rejected. */
    public List<Difference> unconvertible() {
        return List.copyOf(unconvertible);
    }
}
