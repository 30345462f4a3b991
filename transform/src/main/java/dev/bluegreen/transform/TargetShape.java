package dev.bluegreen.transform;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnType;
import java.util.List;
import java.util.Map;

/**
 * What one green table receives from a transform.
 *
 * @param table the green table
 * @param keyColumns green key columns, in key order
 * @param columns every column written: key columns first, then the rest in green ordinal order
 * @param columnTypes green type of every written column
 */
public record TargetShape(TableId table, List<String> keyColumns, List<String> columns,
                          Map<String, ColumnType> columnTypes) {

    public TargetShape {
        requireNonNull(table, "table is null");
        keyColumns = List.copyOf(keyColumns);
        columns = List.copyOf(columns);
        columnTypes = Map.copyOf(columnTypes);
        if (keyColumns.isEmpty()) {
            throw new IllegalArgumentException("target " + table + " has no key columns");
        }
        if (!columns.containsAll(keyColumns) || !columnTypes.keySet().containsAll(columns)) {
            throw new IllegalArgumentException("target " + table + ": columns must include the key and have types");
        }
    }
}
