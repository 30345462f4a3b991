package dev.bluegreen.cutover.parity;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The result of one verify: every table's outcome, the settings, the config hash and the positions of
 * blue and green before and after. Rendered by
 * {@link dev.bluegreen.cutover.parity.report.ParityReportJson} and
 * {@link dev.bluegreen.cutover.parity.report.ParityReportHtml}.
 *
 * @param pipeline the pipeline name
 * @param configFile the config file as given, or {@code null}
 * @param configSha256 SHA-256 of the config file's bytes (lower-case hex), or {@code null} for a config built
 *     in code
 * @param settings how the verify ran
 * @param complete true when every mapped table was verified (false with {@code --tables})
 * @param startedAt when it started
 * @param finishedAt when it ended
 * @param start positions when it started
 * @param end positions when it ended
 * @param tables per blue table, in config order
 */
public record ParityReport(String pipeline, String configFile, String configSha256, ParitySettings settings,
                           boolean complete, Instant startedAt, Instant finishedAt, ParityPositions start,
                           ParityPositions end, List<TableParity> tables) {

    /** Version of the JSON report schema; part of the report. */
    public static final String SCHEMA = "bluegreen.parity-report/1";

    public ParityReport {
        requireNonNull(pipeline, "pipeline is null");
        requireNonNull(settings, "settings is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(finishedAt, "finishedAt is null");
        requireNonNull(start, "start is null");
        requireNonNull(end, "end is null");
        tables = List.copyOf(tables);
    }

    /** True when every verified table ended in parity. */
    public boolean parity() {
        return tables.stream().allMatch(t -> t.verdict().isParity());
    }

    /** {@code parity} or {@code mismatch}. */
    public String result() {
        return parity() ? "parity" : "mismatch";
    }

    /** Wall time (ms). */
    public long durationMs() {
        return Duration.between(startedAt, finishedAt).toMillis();
    }

    /** Blue rows covered, over all tables (rows). */
    public long blueRows() {
        return tables.stream().mapToLong(TableParity::blueRows).sum();
    }

    /** Chunks compared, over all tables. */
    public long chunks() {
        return tables.stream().mapToLong(TableParity::chunks).sum();
    }

    /** Keys still differing, over all tables. */
    public long mismatchedKeys() {
        return tables.stream().mapToLong(TableParity::mismatchedKeys).sum();
    }

    /** Blue rows per second over the whole run. */
    public double rowsPerSecond() {
        long ms = durationMs();
        return ms <= 0 ? blueRows() : blueRows() * 1000.0 / ms;
    }

    /** Chunks per second over the whole run. */
    public double chunksPerSecond() {
        long ms = durationMs();
        return ms <= 0 ? chunks() : chunks() * 1000.0 / ms;
    }
}
