package dev.bluegreen.cutover.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepLogTest {

    private final List<String> shown = new ArrayList<>();
    private final List<String> recorded = new ArrayList<>();
    private final StepLog log = new StepLog((seq, s) -> recorded.add(seq + " " + s.name()), s -> shown.add(s.name()),
            Clock.systemUTC());

    @Test
    void outsideTheFreezeEachStepIsShownAndRecordedAtOnce() {
        assertThat(log.step("precheck.lag", () -> "lag 12 ms")).isTrue();

        assertThat(shown).containsExactly("precheck.lag");
        assertThat(recorded).containsExactly("1 precheck.lag");
    }

    @Test
    void insideTheFreezeStepsWaitForTheReleaseThenAppearInOrder() {
        log.step("catch-up", () -> "applied");
        log.holdRecords(true);
        log.step("freeze.router-pause", () -> "paused");
        log.step("freeze.lock", () -> "locked");

        assertThat(shown).as("nothing printed inside the freeze").containsExactly("catch-up");
        assertThat(recorded).as("nothing written to green inside the freeze").containsExactly("1 catch-up");
        assertThat(log.last().name()).as("the run still sees its newest step").isEqualTo("freeze.lock");

        log.holdRecords(false);

        assertThat(shown).containsExactly("catch-up", "freeze.router-pause", "freeze.lock");
        assertThat(recorded).containsExactly("1 catch-up", "2 freeze.router-pause", "3 freeze.lock");
    }

    @Test
    void aFailedStepIsRecordedWithItsSqlStateAndARecordThatCannotBeWrittenDoesNotFailTheRun() {
        StepLog failing = new StepLog((seq, s) -> {
            throw new SQLException("green went away", "08006");
        }, s -> shown.add(s.name() + " " + s.outcome() + ": " + s.detail()), Clock.systemUTC());

        boolean ok = failing.step("fence", () -> {
            throw new SQLException("blue has no heartbeat row", "55000");
        });

        assertThat(ok).isFalse();
        assertThat(shown).containsExactly("fence failed: blue has no heartbeat row (SQLState 55000)");
    }
}
