package dev.bluegreen.cli.status;

import static dev.bluegreen.cli.status.StatusFixtures.NOW;
import static dev.bluegreen.cli.status.StatusFixtures.cutover;
import static dev.bluegreen.cli.status.StatusFixtures.cutoverConfig;
import static dev.bluegreen.cli.status.StatusFixtures.report;
import static dev.bluegreen.cli.status.StatusFixtures.run;
import static dev.bluegreen.cli.status.StatusFixtures.running;
import static dev.bluegreen.cli.status.StatusFixtures.verify;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.core.config.CutoverConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 4 item 9: status tells the on-call engineer what state we are in and what to do next. */
class NextStepTest {

    private static final CutoverConfig LOCK = cutoverConfig(CutoverConfig.Freeze.LOCK, new CutoverConfig.DataSourceRoute(
            Duration.ofSeconds(3)));
    private static final CutoverConfig PAUSE_PGBOUNCER = cutoverConfig(CutoverConfig.Freeze.ROUTER_PAUSE,
            StatusFixtures.pgbouncer());

    @Test
    void aRunningCutoverComesFirst() {
        StatusReport s = report(new PipelineStatus("stopped", "broker down", -1, -1, List.of()), null,
                cutover(run(8, false, "drain", null, null, null), true), null, LOCK);
        assertThat(NextStep.advise(s, NOW)).startsWith("a cutover is running (run 8, phase drain): watch it");
    }

    @Test
    void aCoordinatorThatDiedDuringTheFreezeLeftBlueWritableAndMaybePgBouncerPaused() {
        StatusReport s = report(running(), verify("parity", true, 0, Duration.ofMinutes(5)),
                cutover(run(8, false, "drain", null, null, null), false), null, PAUSE_PGBOUNCER);
        assertThat(NextStep.advise(s, NOW))
                .contains("the coordinator of run 8 died in phase drain.")
                .contains("blue takes writes again; nothing was flipped.")
                .contains("run RESUME app on its admin console (psql -h 127.0.0.1 -p 6432 -U postgres pgbouncer)")
                .contains("bluegreen cutover --config pipeline.yaml --dry-run (it marks run 8 failed)");
    }

    @Test
    void aCoordinatorThatDiedAtTheFlipSendsTheEngineerToTheRouter() {
        String advice = NextStep.died(cutover(run(8, false, "flip", null, null, null), false), PAUSE_PGBOUNCER);
        assertThat(advice).contains("which may already point at green")
                .contains("SHOW DATABASES on PgBouncer 127.0.0.1:6432, line app of"
                        + " /etc/pgbouncer/pgbouncer.ini");
        assertThat(NextStep.died(cutover(run(8, false, "precheck", null, null, null), false), LOCK))
                .endsWith("It had changed nothing.");
    }

    @Test
    void aFlippedCutoverIsTheEndEvenBehindALaterDryRun() {
        CutoverSummary dry = new CutoverSummary(run(9, true, "done", "aborted", null, "pre-checks failed"), false, null,
                null, run(7, false, "done", "flipped", 30.0, "ok"), null, java.nio.file.Path.of("/w"));
        StatusReport s = report(running(), verify("parity", true, 0, Duration.ofDays(3)), dry, null, LOCK);
        assertThat(NextStep.advise(s, NOW)).startsWith("nothing: the cutover is done");
    }

    @Test
    void aFlipWithAWarningSaysWhatToActOn() {
        CutoverSummary flipped = new CutoverSummary(run(7, false, "done", "flipped", 30.0, "the application now uses"
                + " green; freeze window 30.0 ms; WARNING: blue could not be made read-only for app (denied); revoke"),
                false, null, null, null, null, java.nio.file.Path.of("/w"));
        StatusReport s = report(running(), verify("parity", true, 0, Duration.ofDays(3)), flipped, null, LOCK);
        assertThat(NextStep.advise(s, NOW)).startsWith("the cutover flipped (the application uses green) with a warning")
                .endsWith("blue could not be made read-only for app (denied); revoke");
    }

    @Test
    void aCoordinatorThatDiedAfterTheReleaseSendsTheEngineerToBluesWrites() {
        assertThat(NextStep.died(cutover(run(8, false, "released", null, null, null), false), LOCK))
                .contains("the application uses green").contains("check that blue refuses them");
    }

    @Test
    void thePipelineComesBeforeTheVerify() {
        assertThat(NextStep.advise(report(new PipelineStatus("unknown", null, -1, -1, List.of()), null, null, null,
                null), NOW)).isEqualTo("start the pipeline: bluegreen run --config pipeline.yaml");
        assertThat(NextStep.advise(report(new PipelineStatus("running", null, 5, 5, List.of(
                new PipelineStatus.TableStatus("public.film", 10, 1000, false, 10, 0))), null, null, null, null), NOW))
                .startsWith("wait for the snapshot to finish");
        assertThat(NextStep.advise(report(new PipelineStatus("running", null, 5, 5, List.of(
                new PipelineStatus.TableStatus("public.film", 10, 10, true, 10, 3))), null, null, null, null), NOW))
                .startsWith("3 row(s) are in green's bluegreen.dead_letter");
    }

    @Test
    void eachVerifyProblemNamesItsFix() {
        assertThat(NextStep.advise(report(running(), null, null, null, LOCK), NOW))
                .isEqualTo("run bluegreen verify --config pipeline.yaml (a cutover needs a complete parity pass)");
        assertThat(NextStep.advise(report(running(), verify("mismatch", true, 2, Duration.ofMinutes(1)), null, null,
                LOCK), NOW)).startsWith("2 key(s) differ: read /reports/pass/parity-report.html");
        assertThat(NextStep.advise(report(running(), verify("parity", false, 0, Duration.ofMinutes(1)), null, null,
                LOCK), NOW)).startsWith("the last verify covered only some tables");
        assertThat(NextStep.advise(report(running(), verify("parity", true, 0, Duration.ofMinutes(90)), null, null,
                LOCK), NOW)).isEqualTo("the parity pass is 1 h 30 min old, over cutover.parity-max-age-minutes 60:"
                        + " run bluegreen verify --config pipeline.yaml again");
    }

    @Test
    void withAFreshPassItIsTimeToCutOverOrToRetryAnAbortedOne() {
        VerifySummary fresh = verify("parity", true, 0, Duration.ofMinutes(5));
        assertThat(NextStep.advise(report(running(), fresh, null, null, LOCK), NOW))
                .isEqualTo("ready to cut over: bluegreen cutover --config pipeline.yaml --dry-run, then without --dry-run");
        assertThat(NextStep.advise(report(running(), fresh, null, null, null), NOW))
                .startsWith("parity holds; to cut over, add a cutover section to pipeline.yaml");
        CutoverSummary aborted = cutover(run(7, false, "done", "aborted", 20.0, "drain timeout"), false);
        assertThat(NextStep.advise(report(running(), fresh, aborted, null, LOCK), NOW))
                .startsWith("the last cutover aborted and the application stays on blue");
    }
}
