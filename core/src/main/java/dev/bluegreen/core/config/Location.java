package dev.bluegreen.core.config;

/**
 * Where a config node came from, for error messages.
 *
 * @param file the config file as given, or {@code null} for in-memory configs
 * @param line 1-based line, or -1 when unknown
 * @param path YAML path in the dotted form users see, e.g. {@code tables[2].columns.abalance}
 */
public record Location(String file, int line, String path) {

    /** A location with no file or line, for configs built in code. */
    public static Location of(String path) {
        return new Location(null, -1, path);
    }

    /** A location for a child key of this node, on the same line when the child's is unknown. */
    public Location child(String key, int childLine) {
        return new Location(file, childLine > 0 ? childLine : line, path.isEmpty() ? key : path + "." + key);
    }

    /** Builds a config problem at this location. */
    public dev.bluegreen.core.error.ConfigException.Problem problem(String message) {
        return new dev.bluegreen.core.error.ConfigException.Problem(file, line, path, message);
    }
}
