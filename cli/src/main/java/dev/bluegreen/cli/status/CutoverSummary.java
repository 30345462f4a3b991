package dev.bluegreen.cli.status;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bluegreen.cutover.coordinator.CutoverStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The newest {@code bluegreen cutover} run of a pipeline as recorded in green ({@code bluegreen.cutover_run},
 * {@code bluegreen.cutover_step}), with whether its coordinator still holds the lock, for
 * {@code bluegreen status}. Immutable.
 *
 * @param run the newest run
 * @param lockHeld whether a coordinator of the pipeline holds the advisory lock now
 * @param lastStep the run's last recorded step, or null
 * @param firstFailure the run's first failed step, or null
 * @param lastReal when {@code run} is a dry run: the newest run that was not, or null
 * @param reportFile the {@code cutover-report.json} of this run in the default folder, or null when that
 *     folder holds none for it (another {@code --report} folder, or another machine)
 * @param defaultReportDir where {@code bluegreen cutover} writes its reports without {@code --report}
 */
public record CutoverSummary(CutoverStore.Run run, boolean lockHeld, Step lastStep, Step firstFailure,
                             CutoverStore.Run lastReal, Path reportFile, Path defaultReportDir) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN_COLUMNS = "id, dry_run, phase, outcome, started_at, ended_at, freeze_ms, message,"
            + " report::text";

    /** Where the run is: its coordinator is working, it died without an outcome, or it ended. */
    public enum State { RUNNING, DIED, ENDED }

    /**
     * One recorded step.
     *
     * @param name e.g. {@code freeze.lock}
     * @param outcome {@code ok}, {@code failed}, {@code skipped} or {@code planned}
     * @param detail what it did or found, or null
     */
    public record Step(String name, String outcome, String detail) {
        @Override
        public String toString() {
            return outcome + " " + name + (detail == null || detail.isEmpty() ? "" : ": " + detail);
        }
    }

    public CutoverSummary {
        requireNonNull(run, "run is null");
        requireNonNull(defaultReportDir, "defaultReportDir is null");
    }

    /**
     * Reads the newest run of the pipeline.
     *
     * @param defaultReportDir {@code <work-dir>/cutover}, searched for this run's report file
     * @return empty when no cutover ever ran
     * @throws SQLException when green fails
     */
    public static Optional<CutoverSummary> read(Connection green, String pipeline, Path defaultReportDir)
            throws SQLException {
        Optional<CutoverStore.Run> latest = CutoverStore.latest(green, pipeline);
        if (latest.isEmpty()) {
            return Optional.empty();
        }
        CutoverStore.Run run = latest.get();
        CutoverStore.Run lastReal = run.dryRun() ? lastRealRun(green, pipeline) : null;
        return Optional.of(new CutoverSummary(run, CutoverStore.lockHeld(green, pipeline),
                step(green, run.id(), "ORDER BY seq DESC"), step(green, run.id(), "AND outcome = 'failed' ORDER BY seq"),
                lastReal, reportFileOf(defaultReportDir, run.id()), defaultReportDir));
    }

    /** RUNNING while the run has no outcome and the lock is held; DIED when it has none and the lock is free. */
    public State state() {
        if (run.outcome() != null) {
            return State.ENDED;
        }
        return lockHeld ? State.RUNNING : State.DIED;
    }

    /** The lines for the terminal: the run's state, its message or last step, where its report is. */
    public List<String> lines(Instant now) {
        List<String> out = new ArrayList<>();
        String head = "last cutover: run " + run.id() + (run.dryRun() ? " (dry run)" : "") + " ";
        switch (state()) {
            case RUNNING:
                out.add(head + "RUNNING in phase " + run.phase() + ", started " + at(run.startedAt(), now)
                        + "; its coordinator holds the lock");
                break;
            case DIED:
                out.add(head + "DIED in phase " + run.phase() + ": started " + at(run.startedAt(), now)
                        + ", no outcome, and no coordinator holds the lock");
                break;
            default:
                out.add(head + run.outcome().toUpperCase(Locale.ROOT) + ", ended "
                        + (run.endedAt() == null ? "?" : at(run.endedAt(), now))
                        + (run.freezeMs() == null ? "; no freeze"
                                : String.format(Locale.ROOT, "; freeze window %.1f ms", run.freezeMs())));
                break;
        }
        if (run.message() != null) {
            out.add("  " + run.message());
        }
        if (firstFailure != null && state() == State.ENDED && !"flipped".equals(run.outcome())) {
            out.add("  first failed step: " + firstFailure);
        }
        if (lastStep != null && state() != State.ENDED) {
            out.add("  last step: " + lastStep);
        }
        out.addAll(reportLines());
        if (lastReal != null) {
            out.add("  last real cutover: run " + lastReal.id() + " " + (lastReal.outcome() == null
                    ? "without an outcome, phase " + lastReal.phase() : lastReal.outcome().toUpperCase(Locale.ROOT))
                    + ", started " + at(lastReal.startedAt(), now));
        } else if (run.dryRun()) {
            out.add("  no real cutover has run");
        }
        if (state() == State.ENDED && lockHeld) {
            out.add("  a coordinator holds the lock now: a new cutover is starting");
        }
        return out;
    }

    private List<String> reportLines() {
        if (state() != State.ENDED) {
            return List.of("  report: none yet (the run did not end); its steps are in green bluegreen.cutover_step,"
                    + " run_id " + run.id());
        }
        String files = reportFile != null
                ? reportFile + ", " + reportFile.resolveSibling("cutover-report.txt")
                : "cutover-report.json and .txt in the run's --report folder (" + defaultReportDir
                        + " holds none for run " + run.id() + ")";
        return List.of("  report: " + files + "; also in green: bluegreen.cutover_run.report, id " + run.id());
    }

    private static String at(Timestamp t, Instant now) {
        return Times.at(t.toInstant(), now);
    }

    private static CutoverStore.Run lastRealRun(Connection green, String pipeline) throws SQLException {
        try (PreparedStatement ps = green.prepareStatement("SELECT " + RUN_COLUMNS + " FROM bluegreen.cutover_run"
                + " WHERE pipeline = ? AND NOT dry_run ORDER BY started_at DESC, id DESC LIMIT 1")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Double freeze = rs.getObject(7) == null ? null : rs.getDouble(7);
                return new CutoverStore.Run(rs.getLong(1), rs.getBoolean(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5), rs.getTimestamp(6), freeze, rs.getString(8), rs.getString(9));
            }
        }
    }

    /** The first step of the run in {@code order} (an SQL tail over cutover_step), or null. */
    private static Step step(Connection green, long runId, String order) throws SQLException {
        try (PreparedStatement ps = green.prepareStatement("SELECT step, outcome, detail FROM bluegreen.cutover_step"
                + " WHERE run_id = ? " + order + " LIMIT 1")) {
            ps.setLong(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Step(rs.getString(1), rs.getString(2), rs.getString(3)) : null;
            }
        }
    }

    /** The default folder's report file when it is this run's (its {@code runId}), else null. */
    static Path reportFileOf(Path dir, long runId) {
        Path file = dir.resolve("cutover-report.json");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(file.toFile());
            return n.path("runId").asLong(-1) == runId ? file : null;
        } catch (IOException e) {
            return null; // unreadable or half-written: status then names the folders instead
        }
    }
}
