package dev.bluegreen.core.error;

import java.util.List;

/**
 * The pipeline config or mapping is invalid. Lists every problem found (validation collects them
 * all before throwing); each problem names the file, line, YAML path and the fix.
 */
public class ConfigException extends BluegreenException {

    private final List<Problem> problems;

    /**
     * One problem in a config file.
     *
     * @param file the config file as given on the command line, or {@code null}
     * @param line 1-based line of the offending node, or -1 when unknown
     * @param path YAML path, e.g. {@code tables[2].columns.abalance}
     * @param message what is wrong and how to fix it
     */
    public record Problem(String file, int line, String path, String message) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            if (file != null) {
                sb.append(file);
                if (line > 0) {
                    sb.append(':').append(line);
                }
                sb.append(": ");
            }
            if (path != null && !path.isEmpty()) {
                sb.append(path).append(": ");
            }
            return sb.append(message).toString();
        }
    }

    public ConfigException(List<Problem> problems) {
        super(ErrorCode.CONFIG_INVALID, render(problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(ErrorCode code, List<Problem> problems) {
        super(code, render(problems));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String render(List<Problem> problems) {
        StringBuilder sb = new StringBuilder(problems.size() == 1
                ? "1 problem in the pipeline config:" : problems.size() + " problems in the pipeline config:");
        for (Problem p : problems) {
            sb.append("\n  - ").append(p);
        }
        return sb.toString();
    }
}
