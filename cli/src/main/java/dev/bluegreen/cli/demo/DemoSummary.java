package dev.bluegreen.cli.demo;

import dev.bluegreen.cli.status.PipelineStatus;
import dev.bluegreen.cutover.parity.ComparisonResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Timings and figures collected during the demo, printed at the end. Not thread-safe. */
final class DemoSummary {

    private final Map<String, String> lines = new LinkedHashMap<>();

    void time(String step, long startNanos) {
        lines.put(step, ((System.nanoTime() - startNanos) / 1_000_000) + " ms");
    }

    void figure(String name, String value) {
        lines.put(name, value);
    }

    void print(List<ComparisonResult> results, PipelineStatus status) {
        System.out.println();
        System.out.println("================ bluegreen demo summary ================");
        lines.forEach((k, v) -> System.out.printf("  %-44s %s%n", k, v));
        System.out.println("  dead letters                                 " + status.deadLetters());
        System.out.println("  parity (every blue row through the mapping vs green):");
        boolean all = true;
        for (ComparisonResult r : results) {
            System.out.println("    " + r);
            r.samples().forEach(s -> System.out.println("      " + s));
            all &= r.matches();
        }
        System.out.println(all ? "  RESULT: green holds every blue row in its new shape."
                : "  RESULT: MISMATCH - see the differences above.");
        System.out.println("=========================================================");
    }
}
