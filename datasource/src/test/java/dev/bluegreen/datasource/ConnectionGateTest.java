package dev.bluegreen.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectionGateTest {

    private static final long LONG_NANOS = TimeUnit.SECONDS.toNanos(30);
    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void stopCallers() {
        callers.shutdownNow();
    }

    @Test
    void openGateAdmitsAtOnceAndCountsInFlightUntilLeave() throws Exception {
        ConnectionGate<String> gate = new ConnectionGate<>("blue");

        assertThat(gate.enter(System.nanoTime())).isEqualTo("blue");
        assertThat(gate.enter(System.nanoTime())).isEqualTo("blue");
        assertThat(gate.inFlight()).isEqualTo(2);
        gate.leave();
        assertThat(gate.inFlight()).isEqualTo(1);
        gate.leave();
        assertThat(gate.inFlight()).isZero();
        assertThat(gate.waitedCalls()).isZero();
    }

    @Test
    void shutGateMakesCallersWaitUntilOpenedOnTheNewPool() throws Exception {
        ConnectionGate<String> gate = new ConnectionGate<>("blue");
        gate.shut("frozen for a test");
        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> enter(gate, LONG_NANOS), callers);

        await().atMost(Duration.ofSeconds(10)).until(() -> gate.waitedCalls() == 1);
        assertThat(waiting).isNotDone();
        assertThat(gate.isOpen()).isFalse();

        assertThat(gate.open("green")).isEqualTo("blue");
        assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo("green");
        assertThat(gate.inFlight()).isEqualTo(1);
        assertThat(gate.pool()).isEqualTo("green");
        assertThat(gate.refusedCalls()).isZero();
    }

    @Test
    void callerIsRefusedWithTheReasonOnceItsDeadlinePasses() {
        ConnectionGate<String> gate = new ConnectionGate<>("blue");
        gate.shut("writes are frozen for a cutover (route epoch 3)");
        long start = System.nanoTime();

        assertThatThrownBy(() -> gate.enter(start + TimeUnit.MILLISECONDS.toNanos(50)))
                .isInstanceOf(ConnectionGate.NotAdmittedException.class)
                .hasMessage("writes are frozen for a cutover (route epoch 3)")
                .satisfies(e -> assertThat(((ConnectionGate.NotAdmittedException) e).state().terminated()).isFalse());
        assertThat(System.nanoTime() - start).as("waited until the deadline")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(gate.refusedCalls()).isEqualTo(1);
        assertThat(gate.waitedCalls()).isEqualTo(1);
        assertThat(gate.inFlight()).isZero();
    }

    @Test
    void deadlineAlreadyPassedOnAShutGateRefusesWithoutWaiting() {
        ConnectionGate<String> gate = new ConnectionGate<>("blue");
        gate.shut("frozen");

        assertThatThrownBy(() -> gate.enter(System.nanoTime() - 1))
                .isInstanceOf(ConnectionGate.NotAdmittedException.class);
        assertThat(gate.waitedCalls()).isZero();
        assertThat(gate.refusedCalls()).isEqualTo(1);
    }

    @Test
    void terminateRefusesWaitingAndLaterCallersAtOnceEvenIfOpenedAgain() throws Exception {
        ConnectionGate<String> gate = new ConnectionGate<>("blue");
        gate.shut("frozen");
        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> enter(gate, LONG_NANOS), callers);
        await().atMost(Duration.ofSeconds(10)).until(() -> gate.waitedCalls() == 1);

        gate.terminate("closed");

        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalStateException.class)
                .hasRootCauseMessage("closed");
        gate.open("green");
        assertThatThrownBy(() -> gate.enter(System.nanoTime() + LONG_NANOS))
                .isInstanceOf(ConnectionGate.NotAdmittedException.class)
                .satisfies(e -> assertThat(((ConnectionGate.NotAdmittedException) e).state())
                        .isEqualTo(new ConnectionGate.Shut("closed", true)));
    }

    @Test
    void awaitNoneInFlightWaitsForLeaveOrTimesOut() throws Exception {
        ConnectionGate<String> gate = new ConnectionGate<>("blue");
        gate.enter(System.nanoTime());
        gate.shut("frozen");

        assertThat(gate.awaitNoneInFlight(20, TimeUnit.MILLISECONDS)).isFalse();
        CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> awaitNone(gate), callers);
        assertThat(drained).isNotDone();
        gate.leave();

        assertThat(drained.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(gate.inFlight()).isZero();
    }

    private static String enter(ConnectionGate<String> gate, long waitNanos) {
        try {
            return gate.enter(System.nanoTime() + waitNanos);
        } catch (ConnectionGate.NotAdmittedException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean awaitNone(ConnectionGate<String> gate) {
        try {
            return gate.awaitNoneInFlight(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
