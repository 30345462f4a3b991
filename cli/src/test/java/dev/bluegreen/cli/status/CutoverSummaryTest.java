package dev.bluegreen.cli.status;

import static dev.bluegreen.cli.status.StatusFixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.cutover.coordinator.CutoverStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 4 item 9: status shows the cutover phase, the last report, and a coordinator that died. */
class CutoverSummaryTest {

    @Test
    void aRunWithoutOutcomeIsRunningWhileTheLockIsHeldAndDiedWhenItIsFree() {
        CutoverStore.Run run = StatusFixtures.run(8, false, "drain", null, null, null);
        CutoverSummary running = StatusFixtures.cutover(run, true);
        CutoverSummary died = StatusFixtures.cutover(run, false);
        assertThat(running.state()).isEqualTo(CutoverSummary.State.RUNNING);
        assertThat(died.state()).isEqualTo(CutoverSummary.State.DIED);
        assertThat(running.lines(NOW).get(0)).isEqualTo("last cutover: run 8 RUNNING in phase drain, started"
                + " 2026-11-23 08:50:00Z (10 min ago); its coordinator holds the lock");
        List<String> lines = died.lines(NOW);
        assertThat(lines.get(0)).isEqualTo("last cutover: run 8 DIED in phase drain: started 2026-11-23 08:50:00Z"
                + " (10 min ago), no outcome, and no coordinator holds the lock");
        assertThat(lines).contains("  last step: ok fence: heartbeat 1234 at blue LSN 0/3000A28");
        assertThat(lines).anyMatch(l -> l.startsWith("  report: none yet") && l.contains("run_id 8"));
    }

    @Test
    void anEndedRunShowsOutcomeFreezeWindowMessageAndWhereTheReportIs() {
        CutoverStore.Run run = StatusFixtures.run(7, false, "done", "aborted", 41.66,
                "cutover aborted, the application stays on blue: the sink did not apply the fence");
        CutoverSummary c = new CutoverSummary(run, false, new CutoverSummary.Step("abort", "ok", "freeze released"),
                new CutoverSummary.Step("drain", "failed", "the sink did not apply the fence (heartbeat 1234)"), null,
                null, Path.of("/work/pagila/cutover"));
        List<String> lines = c.lines(NOW);
        assertThat(lines.get(0)).isEqualTo("last cutover: run 7 ABORTED, ended 2026-11-23 08:50:10Z (9 min ago);"
                + " freeze window 41.7 ms");
        assertThat(lines.get(1)).isEqualTo("  cutover aborted, the application stays on blue: the sink did not apply"
                + " the fence");
        assertThat(lines.get(2)).isEqualTo("  first failed step: failed drain: the sink did not apply the fence"
                + " (heartbeat 1234)");
        assertThat(lines.get(3)).contains("--report folder (/work/pagila/cutover holds none for run 7)")
                .contains("bluegreen.cutover_run.report, id 7");
        assertThat(lines).noneMatch(l -> l.contains("last step"));
    }

    @Test
    void aDryRunAlsoNamesTheLastRealRun() {
        CutoverSummary c = new CutoverSummary(StatusFixtures.run(9, true, "done", "planned", null,
                "dry run: every pre-check passed; nothing was changed"), false, null, null,
                StatusFixtures.run(7, false, "done", "flipped", 12.0, "done"), null, Path.of("/w/cutover"));
        List<String> lines = c.lines(NOW);
        assertThat(lines.get(0)).isEqualTo("last cutover: run 9 (dry run) PLANNED, ended 2026-11-23 08:50:10Z"
                + " (9 min ago); no freeze");
        assertThat(lines).contains("  last real cutover: run 7 FLIPPED, started 2026-11-23 08:50:00Z (10 min ago)");
    }

    @Test
    void theDefaultReportFileCountsOnlyWhenItIsThisRuns(@TempDir Path dir) throws Exception {
        assertThat(CutoverSummary.reportFileOf(dir, 7)).as("no file").isNull();
        Files.writeString(dir.resolve("cutover-report.json"), "{\"pipeline\": \"pagila\", \"runId\": 6}");
        assertThat(CutoverSummary.reportFileOf(dir, 7)).as("an older run's file").isNull();
        Files.writeString(dir.resolve("cutover-report.json"), "{\"pipeline\": \"pagila\", \"runId\": 7}");
        assertThat(CutoverSummary.reportFileOf(dir, 7)).isEqualTo(dir.resolve("cutover-report.json"));
        Files.writeString(dir.resolve("cutover-report.json"), "{\"pipeline\": \"pag");
        assertThat(CutoverSummary.reportFileOf(dir, 7)).as("half written").isNull();
    }

    @Test
    void anEndedRunWithItsReportFileNamesBothFiles() {
        Path file = Path.of("/w/cutover/cutover-report.json");
        CutoverSummary c = new CutoverSummary(StatusFixtures.run(7, false, "done", "flipped", 38.2, "ok"), false, null,
                null, null, file, Path.of("/w/cutover"));
        assertThat(c.lines(NOW)).contains("  report: /w/cutover/cutover-report.json, /w/cutover/cutover-report.txt;"
                + " also in green: bluegreen.cutover_run.report, id 7");
    }
}
