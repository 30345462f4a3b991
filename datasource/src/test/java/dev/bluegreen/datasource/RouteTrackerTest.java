package dev.bluegreen.datasource;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The lease rules of following the route (design property 6), on an injected clock. */
class RouteTrackerTest {

    private static final long LEASE_MS = 3_000;
    private static final long T0 = 1_000_000_000L;

    private final RouteTracker tracker = new RouteTracker(Target.BLUE);

    @Test
    void withoutARowItServesOnTheInitialTarget() {
        assertThat(tracker.read(Optional.empty(), T0)).isEqualTo(serving(Target.BLUE, 0));
        assertThat(tracker.lapseIfSilent(T0 + ms(60_000))).isFalse();
        assertThat(tracker.nanosUntilLapse(T0)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void servingRowIsFollowedAndADisappearedRowChangesNothing() {
        tracker.read(row(Target.GREEN, Phase.SERVING, 7), T0);

        assertThat(tracker.read(Optional.empty(), T0 + ms(10))).isEqualTo(serving(Target.GREEN, 7));
    }

    @Test
    void frozenLapsesAfterTheLeaseWithoutNotificationsAndResumesOnTheRowsTarget() {
        assertThat(tracker.read(row(Target.BLUE, Phase.FROZEN, 2), T0)).isEqualTo(frozen(Target.BLUE, 2));

        assertThat(tracker.lapseIfSilent(T0 + ms(LEASE_MS) - 1)).isFalse();
        assertThat(tracker.nanosUntilLapse(T0 + ms(1_000))).isEqualTo(ms(2_000));
        assertThat(tracker.lapseIfSilent(T0 + ms(LEASE_MS))).isTrue();

        assertThat(tracker.desired()).isEqualTo(new DataSourceState(Target.BLUE, Phase.SERVING, 2, true));
        assertThat(tracker.silentMs(T0 + ms(LEASE_MS))).isEqualTo(LEASE_MS);
        assertThat(tracker.lapseIfSilent(T0 + ms(2 * LEASE_MS))).as("lapses once").isFalse();
    }

    @Test
    void everyNotificationRestartsTheLease() {
        tracker.read(row(Target.BLUE, Phase.FROZEN, 2), T0);
        for (int i = 1; i <= 100; i++) {
            long now = T0 + ms(i * 100L);
            tracker.heard(now);
            tracker.read(row(Target.BLUE, Phase.FROZEN, 2), now);
            assertThat(tracker.lapseIfSilent(now)).isFalse();
        }
        assertThat(tracker.desired()).isEqualTo(frozen(Target.BLUE, 2));
        assertThat(tracker.lapseIfSilent(T0 + ms(10_000 + LEASE_MS))).isTrue();
    }

    @Test
    void rereadingTheSameFrozenEpochWithoutANotificationDoesNotRestartTheLease() {
        tracker.read(row(Target.BLUE, Phase.FROZEN, 2), T0);
        // a control connection that reconnects and re-reads the orphaned row every second
        for (int i = 1; i < 3; i++) {
            tracker.read(row(Target.BLUE, Phase.FROZEN, 2), T0 + ms(i * 1_000L));
        }

        assertThat(tracker.lapseIfSilent(T0 + ms(LEASE_MS))).isTrue();
    }

    @Test
    void aLapsedEpochStaysLapsedButANewEpochFreezesAgain() {
        tracker.read(row(Target.BLUE, Phase.FROZEN, 2), T0);
        tracker.lapseIfSilent(T0 + ms(LEASE_MS));

        long late = T0 + ms(LEASE_MS + 500);
        tracker.heard(late);
        assertThat(tracker.read(row(Target.BLUE, Phase.FROZEN, 2), late))
                .as("a late keep-alive of the lapsed epoch").isEqualTo(new DataSourceState(Target.BLUE, Phase.SERVING, 2, true));

        long next = T0 + ms(20_000);
        assertThat(tracker.read(row(Target.BLUE, Phase.FROZEN, 3), next)).isEqualTo(frozen(Target.BLUE, 3));
        assertThat(tracker.lapseIfSilent(next + ms(LEASE_MS) - 1)).as("the new epoch's lease runs from its read").isFalse();
        assertThat(tracker.read(row(Target.GREEN, Phase.SERVING, 4), next + ms(100))).isEqualTo(serving(Target.GREEN, 4));
        assertThat(tracker.nanosUntilLapse(next + ms(100))).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void zeroLeaseLapsesAtTheFirstCheck() {
        tracker.read(Optional.of(new Route("shop", Target.BLUE, Phase.FROZEN, 5, 0)), T0);

        assertThat(tracker.nanosUntilLapse(T0)).isZero();
        assertThat(tracker.lapseIfSilent(T0)).isTrue();
    }

    private static Optional<Route> row(Target target, Phase phase, long epoch) {
        return Optional.of(new Route("shop", target, phase, epoch, LEASE_MS));
    }

    private static DataSourceState serving(Target target, long epoch) {
        return new DataSourceState(target, Phase.SERVING, epoch, false);
    }

    private static DataSourceState frozen(Target target, long epoch) {
        return new DataSourceState(target, Phase.FROZEN, epoch, false);
    }

    private static long ms(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }
}
