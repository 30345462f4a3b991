package dev.bluegreen.cutover.parity.stream;

import dev.bluegreen.cutover.parity.Difference;
import java.util.List;

/**
 * What one pass over a table found, before rechecks.
 *
 * @param blueRows blue rows covered (rows)
 * @param greenRows green rows covered, summed over targets (rows)
 * @param chunks chunks compared
 * @param chunksDiffering chunks whose hashes differed
 * @param differences every difference found
 * @param readAtMs the latest blue clock of the pass's reads (epoch ms)
 */
public record PassResult(long blueRows, long greenRows, long chunks, long chunksDiffering,
                         List<Difference> differences, long readAtMs) {

    public PassResult {
        differences = List.copyOf(differences);
    }
}
