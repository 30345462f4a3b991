package dev.bluegreen.bench.streaming;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the bluegreen process spent its CPU, from JFR recordings ({@code jdk.ExecutionSample} events of
 * {@code settings=profile}): the share of samples by thread (digits folded, so pools count as one), by
 * the package of the top frame (its first three segments) and by top frame ({@code Class.method}).
 * Stateless; reads the files with the JDK's {@link RecordingFile}.
 */
public final class JfrSummary {

    private JfrSummary() {
    }

    /**
     * One line per grouping, e.g. {@code by thread: debezium-postgresconnector-... 41%, ...}; empty
     * when no recording holds execution samples.
     *
     * @param top how many entries per grouping
     */
    public static List<String> summarize(List<Path> recordings, int top) throws IOException {
        Map<String, Long> byThread = new HashMap<>();
        Map<String, Long> byPackage = new HashMap<>();
        Map<String, Long> byFrame = new HashMap<>();
        long total = 0;
        for (Path file : recordings) {
            if (!Files.exists(file)) {
                continue;
            }
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null
                        || e.getStackTrace().getFrames().isEmpty()) {
                    continue;
                }
                total++;
                RecordedFrame f = e.getStackTrace().getFrames().get(0);
                String type = f.getMethod().getType().getName();
                String thread = e.getThread("sampledThread") == null ? "?"
                        : e.getThread("sampledThread").getJavaName().replaceAll("[0-9]+", "N");
                byThread.merge(thread, 1L, Long::sum);
                byPackage.merge(packageOf(type), 1L, Long::sum);
                byFrame.merge(type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName(), 1L, Long::sum);
            }
        }
        if (total == 0) {
            return List.of();
        }
        long n = total;
        Function<Map<String, Long>, String> line = m -> m.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .map(en -> String.format(Locale.ROOT, "%s %.0f%%", en.getKey(), 100.0 * en.getValue() / n))
                .collect(Collectors.joining(", "));
        return List.of("JFR execution samples: " + total + " from " + recordings.size() + " recording(s)",
                "by thread: " + line.apply(byThread),
                "by package of the top frame: " + line.apply(byPackage),
                "by top frame: " + line.apply(byFrame));
    }

    private static String packageOf(String type) {
        String[] parts = type.split("\\.");
        int n = Math.min(3, parts.length - 1);
        return n <= 0 ? type : String.join(".", List.of(parts).subList(0, n));
    }
}
