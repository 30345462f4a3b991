package dev.bluegreen.core.schema;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.event.TableId;
import java.util.List;
import java.util.Optional;

/**
 * A table as read from the catalog.
 *
 * @param id the table
 * @param columns columns in ordinal order, never empty
 * @param primaryKey primary-key column names in key order; empty when the table has none
 * @param uniqueKeys column lists of every unique index whose columns are all NOT NULL (each in
 *     index order); usable as a declared key
 * @param partitioned true for a partitioned (root) table
 */
public record TableSchema(
        TableId id, List<ColumnSchema> columns, List<String> primaryKey, List<List<String>> uniqueKeys,
        boolean partitioned) {

    public TableSchema {
        requireNonNull(id, "id is null");
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        uniqueKeys = uniqueKeys.stream().map(List::copyOf).toList();
    }

    /** The column of that name, if present. */
    public Optional<ColumnSchema> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** Column names in ordinal order. */
    public List<String> columnNames() {
        return columns.stream().map(ColumnSchema::name).toList();
    }
}
