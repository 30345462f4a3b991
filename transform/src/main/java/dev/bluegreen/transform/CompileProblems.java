package dev.bluegreen.transform;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.config.Location;
import dev.bluegreen.core.error.ConfigException.Problem;
import dev.bluegreen.core.error.Suggestions;
import java.util.Collection;
import java.util.List;

/**
 * The problems of one table's compilation, appended to the caller's list (which may already hold
 * problems of other tables). Not thread-safe; lives for one {@link MappingCompiler#compile} call.
 */
final class CompileProblems {

    private final List<Problem> sink;
    private final int before;

    CompileProblems(List<Problem> sink) {
        this.sink = requireNonNull(sink, "problems is null");
        this.before = sink.size();
    }

    /** Records a problem at a config location (keeps its file, line and YAML path). */
    void add(Location at, String message) {
        sink.add(at.problem(message));
    }

    /** How many problems this compilation has found so far. */
    int count() {
        return sink.size() - before;
    }

    /** True when this compilation has found a problem. */
    boolean any() {
        return count() > 0;
    }

    /** {@code ; did you mean 'x'?} for the closest candidate within a few edits, else empty text. */
    static String didYouMean(String name, Collection<String> candidates) {
        return Suggestions.closest(name, candidates).map(b -> "; did you mean '" + b + "'?").orElse("");
    }
}
