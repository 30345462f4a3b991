package dev.bluegreen.cutover.parity;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.transform.RowTransform;

/**
 * One blue table to verify: its declared mapping (to decide whether hashing can be pushed down into
 * SQL and to invert key casts), its catalog entry, and the compiled transform the sink uses.
 *
 * @param mapping the declared mapping
 * @param blueSchema the blue table as read from blue's catalog
 * @param transform the compiled mapping (the same code the sink runs)
 */
public record ParityTable(TableMapping mapping, TableSchema blueSchema, RowTransform transform) {

    public ParityTable {
        requireNonNull(mapping, "mapping is null");
        requireNonNull(blueSchema, "blueSchema is null");
        requireNonNull(transform, "transform is null");
        if (!mapping.blue().equals(blueSchema.id()) || !mapping.blue().equals(transform.blueTable())) {
            throw new IllegalArgumentException("mapping, schema and transform name different blue tables: "
                    + mapping.blue() + ", " + blueSchema.id() + ", " + transform.blueTable());
        }
    }
}
