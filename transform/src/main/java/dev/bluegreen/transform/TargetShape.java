package dev.bluegreen.transform;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnType;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * What one green table receives from a transform. Immutable.
 *
 * @param table the green table
 * @param keyColumns green key columns, in blue key order; never empty; a primary key or unique index
 *     of the green table covers exactly these (the sink's {@code ON CONFLICT} target)
 * @param columns every column written: the key columns first, then the rest in green ordinal order;
 *     no duplicates
 * @param columnTypes the green type of every written column
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
        if (new HashSet<>(columns).size() != columns.size()) {
            throw new IllegalArgumentException("target " + table + ": duplicate columns in " + columns);
        }
        if (columns.size() < keyColumns.size() || !columns.subList(0, keyColumns.size()).equals(keyColumns)) {
            throw new IllegalArgumentException("target " + table + ": columns " + columns + " must start with the key "
                    + keyColumns);
        }
        if (!columnTypes.keySet().containsAll(columns)) {
            throw new IllegalArgumentException("target " + table + ": every column needs a type");
        }
    }
}
