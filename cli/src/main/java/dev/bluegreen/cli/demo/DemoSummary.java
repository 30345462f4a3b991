package dev.bluegreen.cli.demo;

import dev.bluegreen.cutover.parity.ComparisonResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Timings, figures and failed proofs collected during the demo, printed at the end: the pipeline's
 * figures, parity, then the cutover's. The demo succeeds only when no proof failed. Not thread-safe.
 */
final class DemoSummary {

    private final Map<String, String> lines = new LinkedHashMap<>();
    private final Map<String, String> cutover = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private List<ComparisonResult> parity = List.of();
    private long deadLetters;

    /** A pipeline step's duration, from {@code startNanos} ({@link System#nanoTime()}) to now, in ms. */
    void time(String step, long startNanos) {
        lines.put(step, ((System.nanoTime() - startNanos) / 1_000_000) + " ms");
    }

    /** A pipeline figure. */
    void figure(String name, String value) {
        lines.put(name, value);
    }

    /** A cutover figure (verify, cutover, the probe application). */
    void cutover(String name, String value) {
        cutover.put(name, value);
    }

    /** The full comparison's results; a mismatch is a failed proof. */
    void parity(List<ComparisonResult> results, long deadLetterRows) {
        parity = List.copyOf(results);
        deadLetters = deadLetterRows;
        if (!results.stream().allMatch(ComparisonResult::matches)) {
            fail("green does not match blue through the mapping (differences above)");
        }
    }

    /** Records a failed proof; the demo then exits non-zero. */
    void fail(String reason) {
        failures.add(reason);
    }

    /** True when no proof failed. */
    boolean ok() {
        return failures.isEmpty();
    }

    void print() {
        System.out.println();
        System.out.println("================ bluegreen demo summary ================");
        lines.forEach(DemoSummary::line);
        line("dead letters", Long.toString(deadLetters));
        System.out.println("  parity (every blue row through the mapping vs green):");
        for (ComparisonResult r : parity) {
            System.out.println("    " + r);
            r.samples().forEach(s -> System.out.println("      " + s));
        }
        if (!cutover.isEmpty()) {
            System.out.println("  cutover (bluegreen verify, then bluegreen cutover while the probe application writes"
                    + " through PgBouncer):");
            cutover.forEach(DemoSummary::line);
        }
        if (ok()) {
            System.out.println("  RESULT: green holds every blue row in its new shape"
                    + (cutover.isEmpty() ? "." : "; the application moved to green without an error or a lost write."));
        } else {
            System.out.println("  RESULT: FAILED");
            failures.forEach(f -> System.out.println("    - " + f));
        }
        System.out.println("=========================================================");
    }

    private static void line(String name, String value) {
        System.out.printf("  %-44s %s%n", name, value);
    }
}
