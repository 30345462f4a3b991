package dev.bluegreen.cli.status;

import static dev.bluegreen.cli.status.StatusFixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Issue 4 item 8/9: the route row, and a freeze nobody keeps alive. */
class RouteSummaryTest {

    @Test
    void servingRouteIsOneLine() {
        RouteSummary r = new RouteSummary("green", "serving", 4, 3000, NOW.minusSeconds(120));
        assertThat(r.line(NOW, false)).isEqualTo("route (switchable DataSource, bluegreen.route): serving on green,"
                + " epoch 4, lease 3000 ms, updated 2026-11-23 08:58:00Z (2 min ago)");
    }

    @Test
    void aFrozenRoutePastItsLeaseWithoutCoordinatorHasResumedByItself() {
        RouteSummary r = new RouteSummary("blue", "frozen", 5, 3000, NOW.minusSeconds(4));
        assertThat(r.frozenPastLease(NOW, false)).isTrue();
        assertThat(r.line(NOW, false)).endsWith("frozen past its lease, so the DataSources have resumed on blue by"
                + " themselves");
        assertThat(r.frozenPastLease(NOW, true)).as("a running coordinator's keep-alive holds it").isFalse();
        assertThat(new RouteSummary("blue", "frozen", 5, 3000, NOW.minusSeconds(2)).frozenPastLease(NOW, false))
                .as("within the lease").isFalse();
    }
}
