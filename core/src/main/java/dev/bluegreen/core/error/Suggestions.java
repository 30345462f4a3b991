package dev.bluegreen.core.error;

import java.util.Collection;
import java.util.Optional;
import org.apache.commons.text.similarity.LevenshteinDistance;

/** "Did you mean ...?" hints for error messages, by edit distance (Apache Commons Text). */
public final class Suggestions {

    /** Most edits for a candidate to count as a likely typo. */
    private static final int MAX_DISTANCE = 3;

    private Suggestions() {
    }

    /** The candidate closest to {@code name} within 3 edits, if any. Thread-safe. */
    public static Optional<String> closest(String name, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = LevenshteinDistance.getDefaultInstance().apply(name, c);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return bestDistance <= MAX_DISTANCE ? Optional.ofNullable(best) : Optional.empty();
    }
}
