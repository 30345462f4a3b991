package dev.bluegreen.core.config;

import dev.bluegreen.core.error.ConfigException.Problem;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Shared state of one config read: the file label, the line of every node (by JSON pointer), the
 * environment for {@code ${VAR}}, and the problem list. Package-private; not thread-safe.
 */
record ConfigReader(String file, Map<String, Integer> lines, Function<String, String> environment,
                    List<Problem> problems) {

    int line(String pointer) {
        Integer line = lines.get(pointer);
        return line == null ? -1 : line;
    }
}
