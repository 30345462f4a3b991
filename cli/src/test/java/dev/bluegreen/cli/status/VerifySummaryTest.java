package dev.bluegreen.cli.status;

import static dev.bluegreen.cli.status.StatusFixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.cutover.parity.report.ParityRunStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 3 item 7: status shows the last verify's time, result, scope, rows, keys, tables and report folder. */
class VerifySummaryTest {

    @Test
    void aCompleteParityPassShowsEveryTableAndTheReportFolder() {
        VerifySummary v = StatusFixtures.verify("parity", true, 0, Duration.ofMinutes(12));
        List<String> lines = v.lines(NOW);
        assertThat(lines.get(0)).isEqualTo("last verify: PARITY, complete, finished 2026-11-23 08:48:00Z (12 min ago),"
                + " took 42 s");
        assertThat(lines.get(1)).isEqualTo("  16,049 blue rows, 0 mismatched key(s); 3 table(s)");
        assertThat(lines.get(2)).isEqualTo("  reports: /reports/pass");
        assertThat(lines.get(3)).contains("public.film").contains("match").contains("1,000 rows").contains("pushdown");
        assertThat(lines.get(4)).contains("public.rental").contains("match after recheck (2 keys)");
        assertThat(v.completeParity()).isTrue();
    }

    @Test
    void aMismatchOnASubsetSaysSoAndCountsTheKeys() {
        VerifySummary v = StatusFixtures.verify("mismatch", false, 1, Duration.ofSeconds(30));
        List<String> lines = v.lines(NOW);
        assertThat(lines.get(0)).startsWith("last verify: MISMATCH, a subset of the tables (--tables), finished");
        assertThat(lines.get(1)).contains("1 mismatched key(s)");
        assertThat(lines.get(5)).contains("public.staff").contains("MISMATCH (1 key)");
        assertThat(v.completeParity()).isFalse();
    }

    @Test
    void aFailedVerifyShowsItsErrorInsteadOfCounts() {
        Instant t = NOW.minusSeconds(5);
        VerifySummary v = new VerifySummary(new ParityRunStore.LatestRun("error", false, t, null, null, 0, null, 9, t, 0,
                "blue is not reachable: connection refused"), List.of());
        assertThat(v.lines(NOW)).containsExactly(
                "last verify: ERROR, finished 2026-11-23 08:59:55Z (5 s ago), took 0 s",
                "  error: blue is not reachable: connection refused",
                "  reports: none written");
    }
}
