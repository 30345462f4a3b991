package dev.bluegreen.cli.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's pipeline config as one complete YAML file, every {@code ${NAME}} of the shipped templates
 * filled in, so that {@code bluegreen status|verify|cutover --config <file>} work on it by hand:
 * {@code demo.yaml} (pipeline, servers, mapping) first, then {@code cutover.yaml} (the cutover section)
 * appended once PgBouncer runs. Stateless.
 */
final class DemoConfigFile {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_]+)}");

    private DemoConfigFile() {
    }

    /**
     * Writes the template {@code demo.yaml} with {@code values} filled in to {@code file}.
     *
     * @throws IllegalStateException when the template names a value not in {@code values}
     */
    static void write(Path file, Map<String, String> values) throws IOException {
        Files.writeString(file, render("demo.yaml", values), StandardCharsets.UTF_8);
    }

    /** Appends the template {@code cutover.yaml} with {@code values} filled in to {@code file}. */
    static void appendCutover(Path file, Map<String, String> values) throws IOException {
        Files.writeString(file, "\n" + render("cutover.yaml", values), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** A value for a single-quoted YAML scalar (a quote is doubled). */
    static String singleQuoted(String value) {
        return value.replace("'", "''");
    }

    private static String render(String template, Map<String, String> values) throws IOException {
        String text;
        try (InputStream in = DemoConfigFile.class.getResourceAsStream(template)) {
            if (in == null) {
                throw new IllegalStateException("the demo's config template " + template + " is missing from the jar;"
                        + " rebuild bluegreen");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("the demo's config template " + template + " uses ${" + m.group(1)
                        + "}, which the demo does not fill in (it has " + values.keySet() + ")");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
