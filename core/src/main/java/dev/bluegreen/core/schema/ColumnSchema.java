package dev.bluegreen.core.schema;

import static java.util.Objects.requireNonNull;

/**
 * One column of a table as read from the catalog.
 *
 * @param name the column name, as spelled in the catalog
 * @param type its type
 * @param nullable whether it accepts NULL
 * @param hasDefault whether it has a default (including identity and serial columns)
 * @param generated whether the server computes it (generated column); never written by the sink
 */
public record ColumnSchema(String name, ColumnType type, boolean nullable, boolean hasDefault, boolean generated) {

    public ColumnSchema {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
    }
}
