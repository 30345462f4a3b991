package dev.bluegreen.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The facts about the box that every benchmark figure is reported with: cores the JVM sees, total
 * memory ({@code /proc/meminfo} MemTotal), the OS and the load average at the time. Stateless.
 */
public final class Machine {

    private Machine() {
    }

    /** Cores the JVM sees. */
    public static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Total memory in bytes, from {@code /proc/meminfo}; -1 when unreadable. */
    public static long memoryBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** One line: cores, memory in GiB, OS, 1-minute load average. */
    public static String describe() {
        return String.format(Locale.ROOT, "%d cores, %.1f GiB, %s %s, load average %.1f", cores(),
                memoryBytes() / (1024.0 * 1024 * 1024), System.getProperty("os.name"), System.getProperty("os.version"),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    static ObjectNode json(ObjectMapper mapper) {
        return mapper.createObjectNode().put("cores", cores()).put("memoryBytes", memoryBytes())
                .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
                .put("java", System.getProperty("java.version"));
    }
}
