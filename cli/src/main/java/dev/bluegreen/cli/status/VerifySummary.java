package dev.bluegreen.cli.status;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.cutover.parity.report.ParityRunStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The last {@code bluegreen verify} of a pipeline as recorded in green ({@code bluegreen.parity_run},
 * {@code bluegreen.parity_table}), for {@code bluegreen status}. Immutable.
 *
 * @param run the run
 * @param tables its per-table results in table order (empty for a verify that failed before results)
 */
public record VerifySummary(ParityRunStore.LatestRun run, List<ParityRunStore.RecordedTable> tables) {

    public VerifySummary {
        requireNonNull(run, "run is null");
        tables = List.copyOf(tables);
    }

    /**
     * Reads the latest verify of the pipeline.
     *
     * @return empty when none was recorded
     * @throws SQLException when green fails
     */
    public static Optional<VerifySummary> read(Connection green, String pipeline) throws SQLException {
        Optional<ParityRunStore.LatestRun> run = ParityRunStore.latest(green, pipeline);
        if (run.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new VerifySummary(run.get(), ParityRunStore.tables(green, run.get().id())));
    }

    /** True when the verify ended in parity over every mapped table (what the cutover pre-check needs). */
    public boolean completeParity() {
        return "parity".equals(run.result()) && run.complete();
    }

    /** How long ago it finished. */
    public Duration age(Instant now) {
        return Duration.between(run.finishedAt(), now);
    }

    /** The lines for the terminal: the result, then the counts and report folder, then one line per table. */
    public List<String> lines(Instant now) {
        List<String> out = new ArrayList<>();
        String took = Times.length(Duration.between(run.startedAt(), run.finishedAt()));
        String scope = "error".equals(run.result()) ? "" : run.complete() ? ", complete" : ", a subset of the tables"
                + " (--tables)";
        out.add("last verify: " + run.result().toUpperCase(Locale.ROOT) + scope + ", finished "
                + Times.at(run.finishedAt(), now) + ", took " + took);
        if (run.error() != null) {
            out.add("  error: " + run.error());
        } else {
            out.add(String.format(Locale.ROOT, "  %,d blue rows, %,d mismatched key(s); %d table(s)", run.blueRows(),
                    run.mismatchedKeys(), tables.size()));
        }
        out.add("  reports: " + (run.reportDir() == null ? "none written" : run.reportDir()));
        for (ParityRunStore.RecordedTable t : tables) {
            out.add(String.format(Locale.ROOT, "  %-32s %-30s %,12d rows  %s", t.blueTable(), verdict(t), t.blueRows(),
                    t.path()));
        }
        return out;
    }

    /** {@code match}, {@code match after recheck (2 keys)} or {@code MISMATCH (1 key)} (issue 3 wording). */
    static String verdict(ParityRunStore.RecordedTable t) {
        switch (t.verdict()) {
            case "match":
                return "match";
            case "match-after-recheck":
                return "match after recheck (" + keys(t.rechecked()) + ")";
            case "mismatch":
                return "MISMATCH (" + keys(t.mismatchedKeys()) + ")";
            default:
                return t.verdict();
        }
    }

    private static String keys(long n) {
        return n + (n == 1 ? " key" : " keys");
    }
}
