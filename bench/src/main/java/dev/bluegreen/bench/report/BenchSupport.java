package dev.bluegreen.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every benchmark main needs besides its measurement: {@code --name value} and {@code --name a,b}
 * arguments, removing a work folder left by an earlier run, and the JVM options bluegreen ships with.
 * Stateless.
 */
public final class BenchSupport {

    private BenchSupport() {
    }

    /**
     * The integer after {@code name} in {@code args}, or {@code def} when absent.
     *
     * @throws NumberFormatException when the value is not an integer
     */
    public static int intArg(String[] args, String name, int def) {
        String v = stringArg(args, name, null);
        return v == null ? def : Integer.parseInt(v);
    }

    /** The value after {@code name} in {@code args}, or {@code def} when absent. */
    public static String stringArg(String[] args, String name, String def) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return def;
    }

    /**
     * The comma-separated list after {@code name} in {@code args}, e.g. {@code --contenders pipe,identity}, or
     * {@code def} when absent.
     *
     * @param allowed the values the list may hold
     * @throws IllegalArgumentException when it holds another value
     */
    public static List<String> listArg(String[] args, String name, List<String> def, List<String> allowed) {
        String v = stringArg(args, name, null);
        if (v == null) {
            return def;
        }
        List<String> out = List.of(v.split(","));
        if (!allowed.containsAll(out)) {
            throw new IllegalArgumentException(name + " takes a comma-separated subset of " + allowed + ", got " + v);
        }
        return out;
    }

    /**
     * Deletes a folder and everything in it; nothing when it does not exist.
     *
     * @throws IOException when a file cannot be deleted
     */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A {@code jvm.options} line for one command only: {@code COMMAND: OPTIONS}. */
    private static final Pattern SCOPED = Pattern.compile("([a-z][a-z-]*):\\s*(.*)");

    /**
     * The JVM options {@code ./bluegreen COMMAND} starts a process with: the lines of {@code jvm.options} in the
     * project root that are not comments, where a line {@code COMMAND: OPTIONS} counts only for that command (as the
     * launcher reads it). Benchmarks start bluegreen's processes with them, so they measure what users run.
     *
     * @param command the bluegreen command ({@code run}, {@code cutover}, ...)
     * @throws IOException when the file cannot be read
     */
    public static List<String> jvmOptions(Path projectRoot, String command) throws IOException {
        List<String> options = new ArrayList<>();
        for (String line : Files.readAllLines(projectRoot.resolve("jvm.options"))) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            Matcher scoped = SCOPED.matcher(l);
            if (scoped.matches()) {
                if (scoped.group(1).equals(command) && !scoped.group(2).isBlank()) {
                    options.addAll(List.of(scoped.group(2).split("\\s+")));
                }
            } else {
                options.addAll(List.of(l.split("\\s+")));
            }
        }
        return options;
    }
}
