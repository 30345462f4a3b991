package dev.bluegreen.cutover.coordinator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * The end result of one {@code bluegreen cutover}: every step with its start and duration, the freeze
 * window and the outcome. JSON shape ({@link #toJson()}):
 * <pre>{@code
 * {"pipeline": "shop", "runId": 7, "dryRun": false, "outcome": "flipped" | "aborted" | "failed" | "planned",
 *  "message": "...", "router": "pgbouncer ...", "freezeStrategy": "lock" | "router-pause",
 *  "freezeMs": 41.7,            // freeze start (router pause or first lock) to release, ms; null if no freeze
 *  "fence": {"beats": 1234, "lsn": "0/3000A28" (a MariaDB blue: "gtid 0-1-5678")} | null,
 *  "sequences": [{"sequence": "bank.account_id_seq", "column": "...", "before": 10, "after": 100010}],
 *  "steps": [{"name": "freeze.lock", "startedAt": "2026-11-23T09:00:00.123Z", "durationMs": 4.2,
 *             "outcome": "ok" | "failed" | "skipped" | "planned", "detail": "..."}]}
 * }</pre>
 * Immutable.
 */
public record CutoverReport(String pipeline, long runId, boolean dryRun, String outcome, String message, String router,
                            String freezeStrategy, Double freezeMs, BlueFreeze.Fence fence,
                            List<GreenSwitch.SequenceMove> sequences, List<CutoverStep> steps) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public CutoverReport {
        sequences = List.copyOf(sequences);
        steps = List.copyOf(steps);
    }

    /** True when the application now points at green. */
    public boolean flipped() {
        return "flipped".equals(outcome);
    }

    /** The report as JSON (shape in the class comment). */
    public String toJson() {
        ObjectNode n = JSON.createObjectNode().put("pipeline", pipeline).put("runId", runId).put("dryRun", dryRun)
                .put("outcome", outcome).put("message", message).put("router", router)
                .put("freezeStrategy", freezeStrategy);
        if (freezeMs == null) {
            n.putNull("freezeMs");
        } else {
            n.put("freezeMs", round(freezeMs));
        }
        if (fence == null) {
            n.putNull("fence");
        } else {
            n.putObject("fence").put("beats", fence.beats()).put("lsn", fence.lsn());
        }
        ArrayNode seqs = n.putArray("sequences");
        sequences.forEach(s -> seqs.addObject().put("sequence", s.sequence()).put("column", s.greenColumn())
                .put("before", s.before()).put("after", s.after()));
        ArrayNode st = n.putArray("steps");
        steps.forEach(s -> st.addObject().put("name", s.name()).put("startedAt", s.startedAt().toString())
                .put("durationMs", round(s.durationMs())).put("outcome", s.outcome()).put("detail", s.detail()));
        return n.toPrettyString();
    }

    /** A readable summary: outcome, freeze window, then one line per step. */
    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "cutover of pipeline %s (run %d%s): %s%n", pipeline, runId,
                dryRun ? ", dry run" : "", outcome.toUpperCase(Locale.ROOT)));
        if (message != null) {
            b.append("  ").append(message).append('\n');
        }
        b.append("  router: ").append(router).append("; freeze: ").append(freezeStrategy).append('\n');
        if (freezeMs != null) {
            b.append(String.format(Locale.ROOT, "  freeze window: %.1f ms%n", freezeMs));
        }
        if (fence != null) {
            b.append("  fence: heartbeat ").append(fence.beats()).append(" at blue ").append(fence.position()).append('\n');
        }
        for (CutoverStep s : steps) {
            b.append(String.format(Locale.ROOT, "  %-8s %-24s %9.1f ms  %s%n", s.outcome(), s.name(), s.durationMs(),
                    s.detail() == null ? "" : s.detail()));
        }
        return b.toString();
    }

    private static double round(double ms) {
        return Math.round(ms * 10) / 10.0;
    }
}
