package dev.bluegreen.core.config;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.event.TableId;
import java.util.List;

/**
 * The declared mapping of one blue table ({@code tables[i]}), before it is checked against the live
 * schemas and compiled by the transform module.
 *
 * @param blue the blue table
 * @param key declared key columns (blue names); empty means "use blue's primary key"
 * @param filter JEXL predicate over the blue row; rows for which it is false are not in green (and
 *     are deleted from green when an update makes it false), or {@code null} for all rows
 * @param columns per-column rules, in declaration order
 * @param added green columns computed, merged or defaulted
 * @param targets one or more green tables, never empty
 * @param location where it was declared
 */
public record TableMapping(
        TableId blue, List<String> key, String filter, List<ColumnMapping> columns, List<AddedColumn> added,
        List<TargetTable> targets, Location location) {

    public TableMapping {
        requireNonNull(blue, "blue is null");
        key = List.copyOf(key);
        columns = List.copyOf(columns);
        added = List.copyOf(added);
        targets = List.copyOf(targets);
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("mapping of " + blue + " has no green target");
        }
        requireNonNull(location, "location is null");
    }
}
