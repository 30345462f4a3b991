package dev.bluegreen.cli.status;

import static dev.bluegreen.cli.status.StatusFixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 3 item 7 and issue 4 item 9: the whole status text, in the order an on-call engineer reads it. */
class StatusReportTest {

    @Test
    void rendersPipelineThenVerifyThenCutoverThenRouteThenNext() {
        StatusReport s = StatusFixtures.report(StatusFixtures.running(),
                StatusFixtures.verify("parity", true, 0, Duration.ofMinutes(12)),
                StatusFixtures.cutover(StatusFixtures.run(7, false, "done", "aborted", 41.7, "cutover aborted"), false),
                new RouteSummary("blue", "serving", 3, 3000, NOW.minusSeconds(600)), null);
        String text = s.render(NOW);
        assertThat(text).startsWith("pipeline pagila: running\n");
        assertThat(text.indexOf("last verify: PARITY")).isGreaterThan(text.indexOf("public.film"));
        assertThat(text.indexOf("last cutover: run 7 ABORTED")).isGreaterThan(text.indexOf("last verify"));
        assertThat(text.indexOf("route (switchable DataSource")).isGreaterThan(text.indexOf("last cutover"));
        assertThat(text).endsWith("\nnext: the last cutover aborted and the application stays on blue (reason above);"
                + " when it is fixed: bluegreen cutover --config pipeline.yaml --dry-run, then without --dry-run\n");
    }

    @Test
    void saysWhatIsNotRecordedAndWhatGreenLacks() {
        StatusReport s = new StatusReport("pagila", "p.yaml", StatusFixtures.running(), null, null, null, null,
                List.of("bluegreen.cutover_run", "bluegreen.cutover_step", "bluegreen.route"));
        assertThat(s.render(NOW)).contains("last verify: none recorded\n").contains("last cutover: none ran\n")
                .contains("not shown: green's control schema has no bluegreen.cutover_run, bluegreen.cutover_step,"
                        + " bluegreen.route yet");
    }
}
