package dev.bluegreen.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * What happens to one blue column ({@code tables[i].columns.<blue column>}). Columns a mapping does
 * not mention are copied under their own name.
 *
 * <p>YAML forms: {@code abalance: balance} (rename), {@code filler: drop},
 * {@code aid: {rename: account_id, cast: bigint}},
 * {@code name: {split: {into: [first, last], separator: " "}}}.
 *
 * @param blueColumn the blue column name (the YAML key)
 * @param drop true to leave the column out of green
 * @param rename green column name, or {@code null} to keep the blue name
 * @param cast a cast name (see the mapping reference), or {@code null}
 * @param castOptions cast parameters: {@code zone} for timestamptz, {@code scale} for minor-units
 * @param splitInto green columns a split fills in order, empty when not a split
 * @param splitSeparator literal separator for a split (the last part keeps any further separators)
 * @param location where it was declared
 */
public record ColumnMapping(
        String blueColumn, boolean drop, String rename, String cast, Map<String, String> castOptions,
        List<String> splitInto, String splitSeparator, Location location) {

    public ColumnMapping {
        requireNonNull(blueColumn, "blueColumn is null");
        castOptions = Map.copyOf(castOptions);
        splitInto = List.copyOf(splitInto);
        requireNonNull(location, "location is null");
    }

    /** True when this column is split into several green columns. */
    public boolean isSplit() {
        return !splitInto.isEmpty();
    }

    /** The green column name (rename or the blue name); meaningless for drops and splits. */
    public String greenColumn() {
        return rename != null ? rename : blueColumn;
    }
}
