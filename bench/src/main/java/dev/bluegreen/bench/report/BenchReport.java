package dev.bluegreen.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results of one benchmark scenario (S1-S6 of issue 5): named series of measured values (one
 * value per interleaved run), ratios of their medians, the targets and whether they were met, and
 * notes. {@link #write} prints a markdown table and writes {@code bench/target/results/<id>-<time>.json}
 * and {@code .md}, both with the machine's core count and memory, so that every figure carries the
 * box it was measured on.
 *
 * <p>Statistics: median (the mean of the two middle values for an even count), min, max, and p50/p99
 * by nearest rank for latency series with many samples. Not thread-safe; one per scenario run.
 */
public final class BenchReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One named series: a value per run (or per sample), in the series' unit. */
    public static final class Series {
        final String name;
        final String unit;
        final String role;
        final List<Double> values = new ArrayList<>();

        Series(String name, String unit, String role) {
            this.name = name;
            this.unit = unit;
            this.role = role;
        }

        /** Adds one measured value. */
        public Series add(double value) {
            values.add(value);
            return this;
        }

        /** The values so far, in the order measured. */
        public List<Double> values() {
            return List.copyOf(values);
        }

        /** Median of the values; NaN when there are none. */
        public double median() {
            return BenchReport.median(values);
        }
    }

    private record Ratio(String name, String numerator, String denominator, double value) {
    }

    private record Target(String text, boolean met, String detail) {
    }

    private final String id;
    private final String title;
    private final Map<String, Object> parameters = new LinkedHashMap<>();
    private final Map<String, Series> series = new LinkedHashMap<>();
    private final List<Ratio> ratios = new ArrayList<>();
    private final List<Target> targets = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    /**
     * @param id short id used in file names, e.g. {@code s1-snapshot}
     * @param title one line saying what is measured against what
     */
    public BenchReport(String id, String title) {
        this.id = id;
        this.title = title;
    }

    /** Records a run parameter (scale, repetitions, load) shown with the results. */
    public BenchReport parameter(String name, Object value) {
        parameters.put(name, value);
        return this;
    }

    /**
     * The series of that name, created on first use.
     *
     * @param role {@code bluegreen} or {@code anchor} (or another word naming whose figure it is)
     */
    public Series series(String name, String unit, String role) {
        return series.computeIfAbsent(name, n -> new Series(n, unit, role));
    }

    /** Records the ratio of two series' medians (numerator / denominator) and returns it. */
    public double ratio(String name, String numerator, String denominator) {
        double v = series.get(numerator).median() / series.get(denominator).median();
        ratios.add(new Ratio(name, numerator, denominator, v));
        return v;
    }

    /** Records a target of the issue and whether this run met it. */
    public BenchReport target(String text, boolean met, String detail) {
        targets.add(new Target(text, met, detail));
        return this;
    }

    /** Adds a free-text note (what was seen, where time went). */
    public BenchReport note(String text) {
        notes.add(text);
        return this;
    }

    /** Median of the values; NaN when empty. */
    public static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(values);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** Nearest-rank percentile (0 < p <= 100) of the values; NaN when empty. */
    public static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(values);
        s.sort(null);
        int rank = (int) Math.ceil(p / 100.0 * s.size());
        return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
    }

    /** The markdown: a heading, the machine, the parameters, a table of series, ratios, targets, notes. */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("### ").append(id).append(": ").append(title).append("\n\n");
        md.append("Machine: ").append(Machine.describe());
        parameters.forEach((k, v) -> md.append("; ").append(k).append(' ').append(v));
        md.append("\n\n| figure | whose | unit | runs | median | min | max |\n|---|---|---|---|---|---|---|\n");
        for (Series s : series.values()) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %s | %s |%n", s.name, s.role, s.unit,
                    s.values.size(), fmt(s.median()), fmt(min(s.values)), fmt(max(s.values))));
        }
        if (!ratios.isEmpty()) {
            md.append("\n| ratio (of medians) | value |\n|---|---|\n");
            for (Ratio r : ratios) {
                md.append(String.format(Locale.ROOT, "| %s (%s / %s) | %.2f |%n", r.name, r.numerator, r.denominator,
                        r.value));
            }
        }
        if (!targets.isEmpty()) {
            md.append("\n| target | met | detail |\n|---|---|---|\n");
            for (Target t : targets) {
                md.append("| ").append(t.text).append(" | ").append(t.met ? "yes" : "**no**").append(" | ")
                        .append(t.detail).append(" |\n");
            }
        }
        for (String n : notes) {
            md.append("\n- ").append(n);
        }
        return md.append('\n').toString();
    }

    /**
     * Prints the markdown and writes the JSON and markdown files.
     *
     * @return the JSON file
     * @throws UncheckedIOException when the results folder cannot be written
     */
    public Path write() {
        String md = markdown();
        System.out.println(md);
        ObjectNode json = JSON.createObjectNode().put("id", id).put("title", title);
        json.set("machine", Machine.json(JSON));
        ObjectNode params = json.putObject("parameters");
        parameters.forEach((k, v) -> params.putPOJO(k, v));
        ArrayNode arr = json.putArray("series");
        for (Series s : series.values()) {
            ObjectNode o = arr.addObject().put("name", s.name).put("role", s.role).put("unit", s.unit)
                    .put("median", s.median()).put("min", min(s.values)).put("max", max(s.values));
            if (s.values.size() >= 20) {
                o.put("p50", percentile(s.values, 50)).put("p99", percentile(s.values, 99));
            }
            ArrayNode vals = o.putArray("values");
            s.values.forEach(vals::add);
        }
        ArrayNode rs = json.putArray("ratios");
        ratios.forEach(r -> rs.addObject().put("name", r.name).put("numerator", r.numerator)
                .put("denominator", r.denominator).put("value", r.value));
        ArrayNode ts = json.putArray("targets");
        targets.forEach(t -> ts.addObject().put("target", t.text).put("met", t.met).put("detail", t.detail));
        ArrayNode ns = json.putArray("notes");
        notes.forEach(ns::add);
        try {
            Path dir = Files.createDirectories(Path.of(System.getProperty("bluegreen.project.root", "."))
                    .resolve("bench/target/results"));
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            Path file = dir.resolve(id + "-" + stamp + ".json");
            Files.writeString(file, JSON.writeValueAsString(json));
            Files.writeString(dir.resolve(id + "-" + stamp + ".md"), md);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the results of " + id, e);
        }
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return Math.abs(v) >= 1000 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
