package dev.bluegreen.cli.status;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.config.CutoverConfig;
import dev.bluegreen.core.config.PipelineConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything {@code bluegreen status} shows, read from green's control schema: the pipeline (state, lag,
 * per-table progress), the last verify, the newest cutover run, the route row, and what to do next.
 * Immutable.
 *
 * @param name the pipeline's name
 * @param configPath the config file as given on the command line, for the commands suggested
 * @param pipeline the pipeline's own status
 * @param verify the last verify, or null when none was recorded
 * @param cutover the newest cutover run, or null when none ran
 * @param route the route row, or null when there is none (no cutover with the DataSource router)
 * @param cutoverConfig the config's cutover section, or null when it has none
 * @param missingTables control tables green lacks (an older control schema), e.g. {@code bluegreen.route}
 */
public record StatusReport(String name, String configPath, PipelineStatus pipeline, VerifySummary verify,
                           CutoverSummary cutover, RouteSummary route, CutoverConfig cutoverConfig,
                           List<String> missingTables) {

    private static final List<String> RECORD_TABLES = List.of("bluegreen.parity_run", "bluegreen.parity_table",
            "bluegreen.cutover_run", "bluegreen.cutover_step", "bluegreen.route");

    public StatusReport {
        requireNonNull(name, "name is null");
        requireNonNull(configPath, "configPath is null");
        requireNonNull(pipeline, "pipeline is null");
        missingTables = List.copyOf(missingTables);
    }

    /**
     * Reads the whole status from green. Verify, cutover and route records are skipped (and named in
     * {@link #missingTables}) when green's control schema predates them.
     *
     * @param configPath the config file as the user named it
     * @throws SQLException when green fails or has no control schema at all
     */
    public static StatusReport read(Connection green, PipelineConfig pc, String configPath, long nowMs)
            throws SQLException {
        PipelineStatus p = PipelineStatus.read(green, pc.name(), nowMs);
        List<String> missing = missing(green);
        VerifySummary v = missing.contains("bluegreen.parity_run") || missing.contains("bluegreen.parity_table") ? null
                : VerifySummary.read(green, pc.name()).orElse(null);
        boolean cutoverTables = !missing.contains("bluegreen.cutover_run") && !missing.contains("bluegreen.cutover_step");
        CutoverSummary c = cutoverTables ? CutoverSummary.read(green, pc.name(), pc.workDir().resolve("cutover"))
                .orElse(null) : null;
        RouteSummary r = missing.contains("bluegreen.route") ? null : RouteSummary.read(green, pc.name()).orElse(null);
        return new StatusReport(pc.name(), configPath, p, v, c, r, pc.cutover(), missing);
    }

    /** The text for the terminal: pipeline, verify, cutover, route, then a {@code next:} line. */
    public String render(Instant now) {
        StringBuilder sb = new StringBuilder(pipeline.render(name)).append('\n');
        List<String> lines = new ArrayList<>();
        if (verify == null) {
            lines.add("last verify: none recorded");
        } else {
            lines.addAll(verify.lines(now));
        }
        if (cutover == null) {
            lines.add("last cutover: none ran");
        } else {
            lines.addAll(cutover.lines(now));
        }
        if (route != null) {
            lines.add(route.line(now, cutover != null && cutover.state() == CutoverSummary.State.RUNNING));
        }
        if (!missingTables.isEmpty()) {
            lines.add("not shown: green's control schema has no " + String.join(", ", missingTables) + " yet (it predates"
                    + " this bluegreen; bluegreen run, verify or cutover migrates it)");
        }
        lines.forEach(l -> sb.append(l).append('\n'));
        sb.append('\n').append("next: ").append(NextStep.advise(this, now)).append('\n');
        return sb.toString();
    }

    private static List<String> missing(Connection green) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = green.prepareStatement("SELECT to_regclass(?) IS NULL")) {
            for (String t : RECORD_TABLES) {
                ps.setString(1, t);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        out.add(t);
                    }
                }
            }
        }
        return out;
    }
}
