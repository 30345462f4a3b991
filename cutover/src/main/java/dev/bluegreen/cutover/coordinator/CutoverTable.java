package dev.bluegreen.cutover.coordinator;

import dev.bluegreen.core.event.TableId;
import dev.bluegreen.transform.RowTransform;
import dev.bluegreen.transform.TargetShape;
import java.util.ArrayList;
import java.util.List;

/**
 * A mapped blue table and one of its green targets, as the coordinator needs them.
 *
 * @param blue the captured blue table
 * @param blueKeyColumns its key columns in key order
 * @param green the green target table
 * @param greenKeyColumns the target's key columns in key order
 */
public record CutoverTable(TableId blue, List<String> blueKeyColumns, TableId green, List<String> greenKeyColumns) {

    public CutoverTable {
        blueKeyColumns = List.copyOf(blueKeyColumns);
        greenKeyColumns = List.copyOf(greenKeyColumns);
    }

    /** One entry per green target of each transform. */
    public static List<CutoverTable> of(List<RowTransform> transforms) {
        List<CutoverTable> out = new ArrayList<>();
        for (RowTransform t : transforms) {
            for (TargetShape s : t.targets()) {
                out.add(new CutoverTable(t.blueTable(), t.blueKeyColumns(), s.table(), s.keyColumns()));
            }
        }
        return out;
    }
}
