package dev.bluegreen.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bluegreen.cli.BluegreenCli;
import dev.bluegreen.cli.pipeline.Drain;
import dev.bluegreen.cli.pipeline.Pipeline;
import dev.bluegreen.cli.pipeline.PipelineFinalCheck;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.cutover.finalcheck.ChangedRowsCheck;
import dev.bluegreen.testkit.LocalPostgres;
import dev.bluegreen.testkit.LocalPostgresExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, item 6: the cutover's final check reads the table topics from where the last {@code bluegreen verify}
 * started, checks exactly the keys changed since, and aborts on a difference or an exhausted budget. The pipeline
 * runs with {@code kafka.bootstrap: embedded}, so the check finds the pipeline's broker the way
 * {@code bluegreen cutover} does (under the work dir), not through a test-only address.
 */
@Tag("it-postgresql")
class FinalCheckIT {

    private static final String DB = "finalcheck";
    private static final Duration BUDGET = Duration.ofSeconds(30);

    @RegisterExtension
    static LocalPostgresExtension blueServer = new LocalPostgresExtension("finalcheck-blue");

    @RegisterExtension
    static LocalPostgresExtension greenServer = new LocalPostgresExtension("finalcheck-green");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    void checksTheKeysChangedSinceTheParityPassAndAbortsOnADifferenceOrAnExhaustedBudget() throws Exception {
        LocalPostgres blue = blueServer.postgres();
        LocalPostgres green = greenServer.postgres();
        CountersSchema.create(blue, green, DB);
        Map<String, String> env = Map.of("NAME", DB, "WORK_DIR", work.resolve("pipeline").toString(),
                "BLUE_URL", blue.jdbcUrl(DB), "GREEN_URL", green.jdbcUrl(DB), "BUDGET", "0", "SNAPSHOT", "copy");
        try (Pipeline p = new Pipeline(Pipelines.config("/counters/pipeline.yaml", work, env)).start()) {
            Pipelines.awaitSnapshotAndDrain(p, Duration.ofMinutes(2));
            assertThat(BluegreenCli.execute("verify", "--config", work.resolve("pipeline.yaml").toString(), "--report",
                    work.resolve("parity").toString(), "--no-progress")).as("verify exit code").isZero();

            // 12 keys change after the verify: 10 updated (one of them twice), one deleted, one inserted
            blue.execute(DB, "UPDATE counters SET n = n + 1 WHERE id BETWEEN 1 AND 10; UPDATE counters SET n = n + 1"
                    + " WHERE id = 5; DELETE FROM counters WHERE id = 20; INSERT INTO counters VALUES (201, 3, 2.50, 'new')");
            Drain.await(p, Duration.ofMinutes(1));
            try (ChangedRowsCheck check = PipelineFinalCheck.of(p.validated(), p.blue(), p.green())) {
                // the first pass names them; a pass over 50 ms is followed by one over what changed meanwhile
                assertThat(check.beforeFreeze(BUDGET)).containsOnlyOnce("12 changed keys in 1 table checked, all match (")
                        .doesNotContain("differ");
                blue.execute(DB, "UPDATE counters SET label = 'later' WHERE id = 150");
                Drain.await(p, Duration.ofMinutes(1));
                assertThat(check.insideFreeze(BUDGET)).as("part two reads only what came after part one")
                        .startsWith("1 changed key in 1 table checked, all match (");
            }

            // green goes wrong for a row changed since the verify (5) and for one that was not (100)
            green.execute(DB, "UPDATE app.counters SET n = 999 WHERE id = 5; UPDATE app.counters SET n = 777 WHERE id = 100");
            try (ChangedRowsCheck check = PipelineFinalCheck.of(p.validated(), p.blue(), p.green())) {
                assertThat(check.beforeFreeze(BUDGET)).as("live, a differing key is left to the exact check")
                        .containsOnlyOnce("13 changed keys in 1 table checked, 12 match, 1 differ");
                assertThatThrownBy(() -> check.insideFreeze(BUDGET)).isInstanceOf(BluegreenException.class)
                        .satisfies(e -> assertThat(((BluegreenException) e).code()).isEqualTo(ErrorCode.PARITY_MISMATCH))
                        .hasMessageContaining("inside the freeze found 1 changed row of public.counters that differs")
                        .hasMessageContaining("{id=5} differing in n (app.counters)")
                        .hasMessageNotContaining("{id=100}");
            }
            try (ChangedRowsCheck check = PipelineFinalCheck.of(p.validated(), p.blue(), p.green())) {
                assertThatThrownBy(() -> check.insideFreeze(BUDGET)).as("the exact check, without rechecks")
                        .hasMessageContaining("inside the freeze found 1 changed row").hasMessageContaining("{id=5}")
                        .hasMessageNotContaining("{id=100}");
            }

            try (ChangedRowsCheck check = PipelineFinalCheck.of(p.validated(), p.blue(), p.green())) {
                assertThatThrownBy(() -> check.beforeFreeze(Duration.ofMillis(1))).isInstanceOf(BluegreenException.class)
                        .satisfies(e -> assertThat(((BluegreenException) e).code()).isEqualTo(ErrorCode.PARITY_MISMATCH))
                        .hasMessageContaining("ran out of its budget of 1 ms")
                        .hasMessageContaining("run bluegreen verify closer to the cutover, or raise"
                                + " cutover.final-check-budget-ms");
            }
        }
    }
}
