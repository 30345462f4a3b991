package dev.bluegreen.transform;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import java.util.List;

/**
 * One blue table's mapping, compiled: a pure, deterministic function from a blue row to its green
 * rows. It never mutates its input, holds no mutable state, and is safe to call from any number
 * of threads. The sink and the comparisons call the same instance, so a row is shaped the same
 * way whether it came from a change event or from a JDBC read.
 */
public interface RowTransform {

    /** The blue table this transform reads. */
    TableId blueTable();

    /** Blue key columns, in key order: the primary key or the declared key. */
    List<String> blueKeyColumns();

    /** The green tables written, each with its key, columns and types; one entry unless split. */
    List<TargetShape> targets();

    /**
     * Maps a full blue row.
     *
     * @param blueRow every blue column by blue name; values canonical, possibly
     *     {@link dev.bluegreen.core.value.Unavailable#VALUE}
     * @return one row per target, in {@link #targets()} order; an EMPTY list when the row filter
     *     rejects the row (it must then not be in green)
     * @throws RowConversionException when a cast, expression or green column rejects a value;
     *     the message names the blue table, key, column, value and reason
     */
    List<MappedRow> map(Row blueRow);

    /**
     * Maps a blue key to the green key of every target.
     *
     * @param blueKey the blue key columns (at least those of {@link #blueKeyColumns()})
     * @return one key row per target (its key columns, in key order)
     * @throws RowConversionException when a key value cannot be cast
     */
    List<MappedRow> mapKey(Row blueKey);
}
