package dev.bluegreen.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A green column that no single blue column maps to ({@code tables[i].add.<green column>}). Exactly
 * one of {@code expr}, {@code value} (a constant, possibly YAML null via {@code hasValue}) or
 * {@code merge} is set.
 *
 * @param greenColumn the green column name (the YAML key)
 * @param expr a JEXL expression over the blue row's columns (by blue name), or {@code null}
 * @param value constant default for a new column, when {@code hasValue}
 * @param hasValue whether {@code value} was given (it may be YAML null)
 * @param merge blue columns joined, in order, into this column; empty when not a merge
 * @param separator literal put between merged values ({@code ""} by default); NULL parts are skipped
 * @param location where it was declared
 */
public record AddedColumn(
        String greenColumn, String expr, Object value, boolean hasValue, List<String> merge, String separator,
        Location location) {

    public AddedColumn {
        requireNonNull(greenColumn, "greenColumn is null");
        merge = List.copyOf(merge);
        separator = separator == null ? "" : separator;
        requireNonNull(location, "location is null");
    }
}
