package dev.bluegreen.cutover.parity.sql;

import dev.bluegreen.core.event.Row;
import java.util.List;

/**
 * Rows read from blue in one short transaction, and blue's clock read right after them: every change
 * visible to the read committed before {@code clockMs}.
 *
 * @param rows the rows, in key order for chunk and range reads
 * @param clockMs blue's {@code clock_timestamp()} after the read (epoch ms)
 */
public record BlueRead(List<Row> rows, long clockMs) {

    public BlueRead {
        rows = List.copyOf(rows);
    }
}
