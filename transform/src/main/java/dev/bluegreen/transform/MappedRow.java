package dev.bluegreen.transform;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;

/**
 * A row in green's shape, for one target table. Immutable.
 *
 * @param table the green table
 * @param row its columns, in the target's column order
 */
public record MappedRow(TableId table, Row row) {

    public MappedRow {
        requireNonNull(table, "table is null");
        requireNonNull(row, "row is null");
    }
}
