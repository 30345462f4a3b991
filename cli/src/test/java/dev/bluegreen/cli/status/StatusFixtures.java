package dev.bluegreen.cli.status;

import dev.bluegreen.core.config.CutoverConfig;
import dev.bluegreen.cutover.coordinator.CutoverStore;
import dev.bluegreen.cutover.parity.report.ParityRunStore;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Plain values for the status formatting tests (not a test base class). */
final class StatusFixtures {

    static final Instant NOW = Instant.parse("2026-11-23T09:00:00Z");

    private StatusFixtures() {
    }

    static PipelineStatus running() {
        return new PipelineStatus("running", null, 120, 300,
                List.of(new PipelineStatus.TableStatus("public.film", 1000, 1000, true, 1200, 0)));
    }

    static VerifySummary verify(String result, boolean complete, long mismatched, Duration age) {
        Instant finished = NOW.minus(age);
        ParityRunStore.LatestRun run = new ParityRunStore.LatestRun(result, complete, finished, "0/3000A28", "ab12",
                mismatched, "/reports/pass", 4, finished.minusSeconds(42), 16_049, null);
        return new VerifySummary(run, List.of(
                new ParityRunStore.RecordedTable("public.film", "match", "pushdown", 1000, 1000, 0, 0, 310),
                new ParityRunStore.RecordedTable("public.rental", "match-after-recheck", "streaming", 16_044, 16_044,
                        2, 0, 2100),
                new ParityRunStore.RecordedTable("public.staff", mismatched > 0 ? "mismatch" : "match", "streaming", 5,
                        5, mismatched, mismatched, 12)));
    }

    /** A run that started 10 min ago; {@code outcome} null means it has not ended. */
    static CutoverStore.Run run(long id, boolean dryRun, String phase, String outcome, Double freezeMs, String message) {
        Timestamp started = Timestamp.from(NOW.minusSeconds(600));
        Timestamp ended = outcome == null ? null : Timestamp.from(NOW.minusSeconds(590));
        return new CutoverStore.Run(id, dryRun, phase, outcome, started, ended, freezeMs, message, null);
    }

    static CutoverSummary cutover(CutoverStore.Run run, boolean lockHeld) {
        return new CutoverSummary(run, lockHeld, new CutoverSummary.Step("fence", "ok", "heartbeat 1234 at blue LSN 0/3000A28"),
                null, null, null, Path.of("/work/pagila/cutover"));
    }

    static CutoverConfig cutoverConfig(CutoverConfig.Freeze freeze, CutoverConfig.Router router) {
        return new CutoverConfig("app", freeze, CutoverConfig.DEFAULT_MAX_FREEZE, CutoverConfig.DEFAULT_DRAIN_TIMEOUT,
                CutoverConfig.DEFAULT_LOCK_TIMEOUT, CutoverConfig.DEFAULT_MAX_LAG, Duration.ofHours(1),
                CutoverConfig.DEFAULT_FINAL_CHECK_BUDGET, CutoverConfig.DEFAULT_SEQUENCE_GAP, router);
    }

    static CutoverConfig.PgBouncer pgbouncer() {
        return new CutoverConfig.PgBouncer("127.0.0.1", 6432, "postgres", "", "app",
                Path.of("/etc/pgbouncer/pgbouncer.ini"), "psql");
    }

    static StatusReport report(PipelineStatus p, VerifySummary v, CutoverSummary c, RouteSummary r, CutoverConfig cc) {
        return new StatusReport("pagila", "pipeline.yaml", p, v, c, r, cc, List.of());
    }
}
