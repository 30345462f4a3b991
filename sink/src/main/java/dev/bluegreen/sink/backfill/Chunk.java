package dev.bluegreen.sink.backfill;

import dev.bluegreen.core.event.TableId;
import java.util.List;

/**
 * One key range of a blue table: {@code lower <= key < upper} in key order, bounds as the key columns'
 * text (each castable back to its column type); a {@code null} bound is open. Immutable.
 *
 * @param table the blue table
 * @param no the chunk's position in key order, from 0
 * @param lower first key of the chunk, or null for the table's start
 * @param upper first key after the chunk, or null for the table's end
 */
public record Chunk(TableId table, int no, List<String> lower, List<String> upper) {

    public Chunk {
        lower = lower == null ? null : List.copyOf(lower);
        upper = upper == null ? null : List.copyOf(upper);
    }
}
