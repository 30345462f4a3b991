package dev.bluegreen.transform;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import java.util.List;

/**
 * One blue table's mapping as a function from a blue row to its green rows.
 *
 * <p>Contract for every implementation:
 * <ul>
 *   <li><b>Pure and deterministic</b>: the result depends only on the argument; no I/O, no clock, no
 *       randomness. The sink and the parity check call the same instance, so a row is shaped the same
 *       way whether it came from a change event or from a JDBC read.</li>
 *   <li><b>Never mutates its input</b>; returned rows are immutable.</li>
 *   <li><b>Thread-safe</b>: immutable, callable from any number of threads at once.</li>
 *   <li><b>Unchanged TOAST values</b>: an output computed from an input holding
 *       {@link dev.bluegreen.core.value.Unavailable#VALUE} is {@code Unavailable.VALUE} (the sink leaves
 *       that green column unchanged). Key columns never are.</li>
 *   <li><b>Errors</b>: a row that cannot be converted raises {@link RowConversionException} (the sink
 *       sends it to the dead-letter table); nothing else is thrown for bad data.</li>
 * </ul>
 */
public interface RowTransform {

    /** The blue table this transform reads. */
    TableId blueTable();

    /** Blue key columns, in key order: the declared key, else the primary key. Never empty. */
    List<String> blueKeyColumns();

    /** The green tables written, each with its key, columns and types; one entry unless split vertically. */
    List<TargetShape> targets();

    /**
     * Maps a full blue row.
     *
     * @param blueRow every blue column by blue name (extra columns are ignored); canonical values,
     *     {@code null} for SQL NULL, possibly {@link dev.bluegreen.core.value.Unavailable#VALUE} outside the key
     * @return one row per target, in {@link #targets()} order, each with that target's
     *     {@link TargetShape#columns()}; an EMPTY list when the row filter rejects the row (the caller
     *     then deletes its key from green)
     * @throws RowConversionException when a cast, expression or green column rejects a value, a key
     *     value is missing, or the filter cannot decide; the message names the blue table, key, column,
     *     value and reason
     */
    List<MappedRow> map(Row blueRow);

    /**
     * Maps a blue key to the green key of every target, without the filter (used for deletes).
     *
     * @param blueKey a row holding at least the columns of {@link #blueKeyColumns()}
     * @return one key row per target, in {@link #targets()} order, with that target's
     *     {@link TargetShape#keyColumns()}; equal to the projection of {@link #map} of a full row with
     *     this key onto those columns
     * @throws RowConversionException when a key value cannot be cast or does not fit its green column
     */
    List<MappedRow> mapKey(Row blueKey);
}
