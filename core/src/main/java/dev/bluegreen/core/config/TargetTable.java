package dev.bluegreen.core.config;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.event.TableId;
import java.util.List;

/**
 * One green table a blue table is written to. A blue table with several targets is split
 * vertically: each target receives the key columns plus its listed columns.
 *
 * @param table the green table
 * @param columns green column names this target receives besides the key; empty means "every
 *     mapped column" (the single-target case)
 * @param location where it was declared
 */
public record TargetTable(TableId table, List<String> columns, Location location) {

    public TargetTable {
        requireNonNull(table, "table is null");
        columns = List.copyOf(columns);
        requireNonNull(location, "location is null");
    }
}
