package dev.bluegreen.cutover.parity;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import java.util.List;

/**
 * One differing green row, with both sides' values.
 *
 * @param kind what is wrong
 * @param greenTable the green table the row belongs to
 * @param blueKey the blue key (blue column names), or {@code null} for an extra green row whose key no
 *     blue key maps to
 * @param greenKey the green key (green column names), or {@code null} when the blue row cannot be mapped
 * @param columns the green columns that differ ({@link DifferenceKind#DIFFERING}); empty otherwise
 * @param expected the blue row run through the mapping, in green's shape, or {@code null} when blue has none
 * @param actual the green row, or {@code null} when green has none
 * @param reason extra detail (the conversion error, or why a recheck could not settle), or {@code null}
 */
public record Difference(DifferenceKind kind, TableId greenTable, Row blueKey, Row greenKey, List<String> columns,
                         Row expected, Row actual, String reason) {

    public Difference {
        requireNonNull(kind, "kind is null");
        requireNonNull(greenTable, "greenTable is null");
        columns = List.copyOf(columns);
        if (blueKey == null && greenKey == null) {
            throw new IllegalArgumentException("a difference needs a blue or a green key");
        }
    }

    /** The same difference with a reason attached. */
    public Difference withReason(String why) {
        return new Difference(kind, greenTable, blueKey, greenKey, columns, expected, actual, why);
    }
}
