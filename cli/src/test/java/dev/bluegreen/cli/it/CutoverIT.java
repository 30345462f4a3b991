package dev.bluegreen.cli.it;

import static dev.bluegreen.cli.it.CutoverDrills.awaitAcks;
import static dev.bluegreen.cli.it.CutoverDrills.awaitLine;
import static dev.bluegreen.cli.it.CutoverDrills.borrowed;
import static dev.bluegreen.cli.it.CutoverDrills.held;
import static dev.bluegreen.cli.it.CutoverDrills.stepDetail;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bluegreen.cli.pipeline.Drain;
import dev.bluegreen.cli.pipeline.Pipeline;
import dev.bluegreen.datasource.SwitchableDataSource;
import dev.bluegreen.datasource.SwitchableDataSourceConfig;
import dev.bluegreen.datasource.Target;
import dev.bluegreen.testkit.LocalPgBouncer;
import dev.bluegreen.testkit.LocalPostgres;
import dev.bluegreen.testkit.LocalPostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4: {@code bluegreen cutover} on real servers (blue and green PostgreSQL, a Kafka broker, a
 * real PgBouncer) while an application role commits numbered transactions ({@link LedgerLoad}).
 */
@Tag("it-postgresql")
class CutoverIT {

    @RegisterExtension
    static LocalPostgresExtension blueServer = new LocalPostgresExtension("cutover-blue");

    @RegisterExtension
    static LocalPostgresExtension greenServer = new LocalPostgresExtension("cutover-green");

    @RegisterExtension
    static KafkaBrokerExtension broker = new KafkaBrokerExtension();

    @TempDir
    Path work;

    /**
     * Under write load through PgBouncer (freeze {@code router-pause}): the cutover flips, every
     * acknowledged write is in green, blue took no write after the fence and cannot take one, the
     * clients saw a pause and no error, and green's key sequence was moved past blue's (the first green
     * inserts would collide otherwise).
     */
    @Test
    void flipsUnderLoadThroughPgBouncerWithoutClientErrors() throws Exception {
        CutoverSetup s = setup("viabouncer");
        try (LocalPgBouncer bouncer = LocalPgBouncer.start(s.name, s.blue, s.name, s.role);
             Pipeline p = s.pgBouncerRouter(bouncer).set("FREEZE", "router-pause").startPipeline()) {
            s.verify();
            LedgerLoad load = new LedgerLoad(held(bouncer.jdbcUrl(), s.role), s.blue.port(), CutoverSetup.CLIENTS).start();
            awaitAcks(load, 200);
            assertThat(s.cutover()).as("cutover exit code, final check included").isZero();
            Map<String, Long> blueAtFlip = s.blueLedger();
            int acksAtFlip = load.ackCount();
            awaitAcks(load, acksAtFlip + 200); // the application goes on, now on green
            load.close();

            JsonNode report = report(s);
            assertThat(report.get("outcome").asText()).isEqualTo("flipped");
            double freezeMs = report.get("freezeMs").asDouble();
            System.out.printf("FIGURE cutover via PgBouncer under load: freeze window %.1f ms, client max latency %d ms,"
                    + " %d acknowledged transactions%n", freezeMs, load.maxLatencyMs(), load.ackCount());
            assertThat(load.errors()).as("errors seen by the application").isEmpty();
            assertAcknowledgedWritesInGreenAndNoneOnBlueAfterTheFence(s, p, load, blueAtFlip);
            assertThat(showDatabasePort(bouncer, s.name)).as("PgBouncer's target").isEqualTo(s.green.port());
            assertThat(report.get("sequences").get(0).get("after").asLong())
                    .as("green sequence moved past blue's ids").isGreaterThan(blueAtFlip.values().stream()
                            .mapToLong(Long::longValue).max().orElseThrow());
        }
    }

    /**
     * The same with the switchable DataSource in the JVM application (router {@code datasource}, freeze
     * {@code router-pause}): the DataSources hold new transactions at their gate, the coordinator
     * publishes green after committing green's grants, and the application goes on there without an error.
     */
    @Test
    void flipsUnderLoadThroughTheSwitchableDataSource() throws Exception {
        CutoverSetup s = setup("viadatasource");
        s.set("ROUTER", "{ type: datasource, lease-ms: 3000 }").set("FREEZE", "router-pause");
        try (Pipeline p = s.startPipeline()) {
            s.verify();
            SwitchableDataSourceConfig config = SwitchableDataSourceConfig.builder().pipeline(s.name)
                    .control(s.green.jdbcUrl(s.name), "postgres", null)
                    .blue(s.blue.jdbcUrl(s.name), s.role, null)
                    .green(s.green.jdbcUrl(s.name), s.role, null)
                    .initialTarget(Target.BLUE).build();
            try (SwitchableDataSource dataSource = SwitchableDataSource.start(config)) {
                LedgerLoad load = new LedgerLoad(borrowed(dataSource), s.blue.port(), CutoverSetup.CLIENTS).start();
                awaitAcks(load, 200);
                assertThat(s.cutover()).as("cutover exit code, final check included").isZero();
                Map<String, Long> blueAtFlip = s.blueLedger();
                awaitAcks(load, load.ackCount() + 200);
                load.close();
                JsonNode report = report(s);
                assertThat(report.get("outcome").asText()).isEqualTo("flipped");
                System.out.printf("FIGURE cutover via the switchable DataSource under load: freeze window %.1f ms, client"
                        + " max latency %d ms, %d acknowledged transactions, %d getConnection calls waited%n",
                        report.get("freezeMs").asDouble(), load.maxLatencyMs(), load.ackCount(), dataSource.waitedCalls());
                assertThat(load.errors()).as("errors seen by the application").isEmpty();
                assertThat(dataSource.currentTarget()).isEqualTo(Target.GREEN);
                assertThat(dataSource.waitedCalls()).as("callers held at the gate during the freeze").isPositive();
                assertAcknowledgedWritesInGreenAndNoneOnBlueAfterTheFence(s, p, load, blueAtFlip);
            }
        }
    }

    /**
     * Freeze {@code lock} while the application writes blue directly, in the reverse of the mapping's
     * table order (so locking the tables one by one deadlocks with it): the coordinator, never the
     * application, is the deadlock victim and retries in the learned order; the cutover flips, and
     * every write blue acknowledged is in green. Writers still on blue at the flip fail loudly (their
     * sessions are ended and the role is read-only): that is the lock strategy without a router.
     */
    @Test
    void lockFreezeWinsAgainstWritersInAnotherTableOrder() throws Exception {
        CutoverSetup s = setup("lockorder");
        try (Pipeline p = s.commandRouter().set("MAX_FREEZE", "3000").startPipeline()) {
            s.verify();
            LedgerLoad load = new LedgerLoad(held(s.blue.jdbcUrl(s.name), s.role), s.blue.port(), CutoverSetup.CLIENTS,
                    true).start();
            awaitAcks(load, 100);
            assertThat(s.cutover()).as("cutover exit code").isZero();
            Thread.sleep(500);
            load.close();
            JsonNode report = report(s);
            String lockStep = stepDetail(report, "freeze.lock");
            System.out.printf("FIGURE lock freeze against reverse-order writers: freeze window %.1f ms; %s%n",
                    report.get("freezeMs").asDouble(), lockStep);
            assertThat(report.get("outcome").asText()).isEqualTo("flipped");
            assertThat(lockStep).as("the first lock order deadlocked and was learned").contains("attempts");
            assertThat(load.errors()).as("the application was never the deadlock victim")
                    .noneMatch(e -> e.contains("40P01"));
            assertThat(Files.exists(s.flipFlag())).isTrue();
            Drain.await(p, Duration.ofMinutes(1));
            Map<String, Long> blueAcked = load.acks().stream().collect(Collectors.toMap(a -> a.client() + "/" + a.seq(),
                    LedgerLoad.Ack::id));
            assertThat(s.blueLedger()).as("blue holds exactly what it acknowledged").isEqualTo(blueAcked);
            assertThat(s.greenLedger()).as("green holds every write blue acknowledged").isEqualTo(blueAcked);
        }
    }

    /**
     * The coordinator is killed (SIGKILL) while it holds the freeze: its blue session dies with it, so
     * the locks go, blue takes the application's writes again within seconds, and nothing was flipped,
     * granted on green or made read-only on blue.
     */
    @Test
    void coordinatorKilledDuringFreezeLeavesBlueServing() throws Exception {
        CutoverSetup s = setup("killed");
        try (Pipeline p = s.commandRouter().startPipeline()) {
            s.verify();
            LedgerLoad load = new LedgerLoad(held(s.blue.jdbcUrl(s.name), s.role), s.blue.port(), CutoverSetup.CLIENTS)
                    .start();
            awaitAcks(load, 100);
            Path log = work.resolve("coordinator.log");
            Process child = childCutover(s, log, "--skip-final-verify", "--hold-in-freeze-ms", "60000");
            try {
                awaitLine(log, "holding the freeze", child);
                int frozen = load.ackCount();
                Thread.sleep(500);
                assertThat(load.ackCount()).as("no write commits on blue while the freeze holds").isLessThanOrEqualTo(
                        frozen + CutoverSetup.CLIENTS);
            } finally {
                child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            long killedAt = System.nanoTime();
            int atKill = load.ackCount();
            awaitAcks(load, atKill + 50);
            long resumedMs = (System.nanoTime() - killedAt) / 1_000_000;
            load.close();
            System.out.printf("FIGURE coordinator killed in the freeze: blue took 50 more writes %d ms later%n", resumedMs);
            assertThat(load.errors()).as("errors seen by the application").isEmpty();
            assertThat(Files.exists(s.flipFlag())).as("the router never ran").isFalse();
            assertThat(s.canWrite(s.blue, "public.ledger")).as("app can still write blue").isTrue();
            assertThat(s.blueRoleConfig()).as("app role settings on blue").doesNotContain("read_only");
            assertThat(s.canWrite(s.green, "app.entry")).as("green was not opened to app").isFalse();
            assertThat(s.lastRun("coalesce(outcome, 'none') || ' ' || phase")).isEqualTo("none freeze");
            Drain.await(p, Duration.ofMinutes(1));
            assertThat(s.greenLedger()).as("green follows blue").isEqualTo(s.blueLedger());
        }
    }

    /**
     * The sink stops applying inside the freeze (once the coordinator holds the freeze, a test session
     * locks green's {@code bluegreen.watermark} against writes, as a stalled sink would): the drain times
     * out, the cutover aborts and says why, blue keeps serving the application.
     */
    @Test
    void drainTimeoutAbortsAndBlueKeepsServing() throws Exception {
        CutoverSetup s = setup("draintimeout");
        try (Pipeline p = s.commandRouter().set("DRAIN", "500").set("MAX_FREEZE", "10000").startPipeline()) {
            s.verify();
            LedgerLoad load = new LedgerLoad(held(s.blue.jdbcUrl(s.name), s.role), s.blue.port(), CutoverSetup.CLIENTS)
                    .start();
            awaitAcks(load, 100);
            Path log = work.resolve("coordinator.log");
            Process child = childCutover(s, log, "--skip-final-verify", "--hold-in-freeze-ms", "1500");
            try (Connection stall = s.green.connect(s.name)) {
                awaitLine(log, "holding the freeze", child);
                stall.setAutoCommit(false);
                try (Statement st = stall.createStatement()) {
                    st.execute("LOCK TABLE bluegreen.watermark IN EXCLUSIVE MODE"); // the sink cannot record the fence
                }
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
                stall.rollback();
            } finally {
                child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            int atAbort = load.ackCount();
            awaitAcks(load, atAbort + 100);
            load.close();
            assertThat(child.exitValue()).as("exit code of an aborted cutover").isEqualTo(1);
            JsonNode report = report(s);
            assertThat(report.get("outcome").asText()).isEqualTo("aborted");
            assertThat(report.get("message").asText()).contains("stays on blue").contains("did not apply the fence");
            assertThat(load.errors()).isEmpty();
            assertThat(Files.exists(s.flipFlag())).isFalse();
            assertThat(s.canWrite(s.blue, "public.ledger")).isTrue();
            assertThat(s.blueRoleConfig()).doesNotContain("read_only");
            assertThat(s.canWrite(s.green, "app.entry")).isFalse();
            Drain.await(p, Duration.ofMinutes(1));
            assertThat(s.greenLedger()).isEqualTo(s.blueLedger());
        }
    }

    /** A second coordinator refuses to start while one runs (it holds green's advisory lock). */
    @Test
    void secondCoordinatorRefusesWhileOneRuns() throws Exception {
        CutoverSetup s = setup("second");
        try (Pipeline p = s.commandRouter().set("MAX_FREEZE", "60000").set("DRAIN", "5000").startPipeline()) {
            s.verify();
            Path firstLog = work.resolve("first.log");
            // held long enough for a second JVM to start and reach its pre-checks on a loaded 2-core box (4 s was not)
            Process first = childCutover(s, firstLog, "--skip-final-verify", "--hold-in-freeze-ms", "15000");
            try {
                awaitLine(firstLog, "holding the freeze", first);
                Path secondLog = work.resolve("second.log");
                Process second = childCutover(s, secondLog, "--skip-final-verify");
                assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(second.exitValue()).as("second coordinator's exit code").isEqualTo(2);
                assertThat(Files.readString(secondLog)).contains("another cutover coordinator");
                assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(first.exitValue()).as("the first coordinator went on and flipped").isZero();
            } finally {
                first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            assertThat(s.count(s.green, "SELECT count(*) FROM bluegreen.cutover_run")).as("runs recorded").isEqualTo(1);
            assertThat(Files.exists(s.flipFlag())).isTrue();
        }
    }

    /** {@code --dry-run} prints the plan and changes nothing on blue, green or PgBouncer. */
    @Test
    void dryRunChangesNothing() throws Exception {
        CutoverSetup s = setup("dryrun");
        try (LocalPgBouncer bouncer = LocalPgBouncer.start(s.name, s.blue, s.name, s.role);
             Pipeline p = s.pgBouncerRouter(bouncer).set("FREEZE", "router-pause").startPipeline()) {
            s.verify();
            String before = state(s, bouncer);
            assertThat(s.cutover("--dry-run", "--skip-final-verify")).as("dry run exit code").isZero();
            JsonNode report = report(s);
            assertThat(report.get("outcome").asText()).isEqualTo("planned");
            assertThat(report.get("dryRun").asBoolean()).isTrue();
            assertThat(report.toString()).contains("pause pgbouncer").contains("set green sequences");
            assertThat(state(s, bouncer)).as("blue, green and PgBouncer after the dry run").isEqualTo(before);
        }
    }

    private CutoverSetup setup(String name) throws Exception {
        return new CutoverSetup(name, blueServer.postgres(), greenServer.postgres(), work, broker.bootstrapServers());
    }

    private static void assertAcknowledgedWritesInGreenAndNoneOnBlueAfterTheFence(CutoverSetup s, Pipeline p,
            LedgerLoad load, Map<String, Long> blueAtFlip) throws Exception {
        Drain.await(p, Duration.ofMinutes(1));
        List<LedgerLoad.Ack> acks = load.acks();
        Map<String, Long> blueAcked = acks.stream().filter(a -> a.port() == s.blue.port())
                .collect(Collectors.toMap(a -> a.client() + "/" + a.seq(), LedgerLoad.Ack::id));
        Map<String, Long> allAcked = acks.stream().collect(Collectors.toMap(a -> a.client() + "/" + a.seq(),
                LedgerLoad.Ack::id));
        assertThat(acks.stream().anyMatch(a -> a.port() == s.green.port())).as("acknowledged by green").isTrue();
        assertThat(acks.stream().allMatch(a -> a.port() == s.blue.port() || a.port() == s.green.port()))
                .as("only blue and green acknowledged").isTrue();
        assertThat(s.blueLedger()).as("blue holds exactly the writes it acknowledged, and none after the flip")
                .isEqualTo(blueAcked).isEqualTo(blueAtFlip);
        assertThat(s.greenLedger()).as("green holds every acknowledged write, blue's under their blue ids")
                .isEqualTo(allAcked);
        for (int c = 1; c <= CutoverSetup.CLIENTS; c++) {
            int client = c;
            long n = acks.stream().filter(a -> a.client() == client).count();
            assertThat(s.count(s.green, "SELECT updates FROM app.balance WHERE client_id = " + c))
                    .as("balance updates of client " + c).isEqualTo(n);
        }
        try (Connection app = s.connectAsApp(s.blue); Statement st = app.createStatement()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> st.executeUpdate(
                    "INSERT INTO public.ledger (client, seq) VALUES (99, 1)")).as("a straggler writing to blue fails loudly")
                    .isInstanceOf(SQLException.class);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.blue.execute(s.name,
                "INSERT INTO public.ledger (client, seq) VALUES (98, 1)")).as("not even a superuser writes blue's tables")
                .hasMessageContaining("blue is read-only");
    }

    private static JsonNode report(CutoverSetup s) throws Exception {
        return CutoverDrills.report(s.work.resolve("cutover"));
    }

    private Process childCutover(CutoverSetup s, Path log, String... more) throws Exception {
        return CutoverDrills.childCutover(s.configFile(), work.resolve("cutover"), log, more);
    }

    private static int showDatabasePort(LocalPgBouncer bouncer, String database) {
        return Integer.parseInt(bouncer.showDatabase().get("port"));
    }

    /** What a cutover could change, as text: privileges, role settings, sequences, route, PgBouncer. */
    private static String state(CutoverSetup s, LocalPgBouncer bouncer) throws Exception {
        StringBuilder b = new StringBuilder();
        b.append("blue write ").append(s.canWrite(s.blue, "public.ledger")).append(s.canWrite(s.blue, "public.balance"));
        b.append(" blue role ").append(s.blueRoleConfig());
        b.append(" green write ").append(s.canWrite(s.green, "app.entry")).append(s.canWrite(s.green, "app.balance"));
        b.append(" green seq ").append(s.count(s.green, "SELECT last_value FROM app.entry_entry_id_seq"));
        b.append(" route ").append(s.count(s.green, "SELECT count(*) FROM bluegreen.route"));
        b.append(" blue locks ").append(s.count(s.blue, "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid ="
                + " l.relation WHERE c.relname IN ('ledger', 'balance') AND l.mode = 'ExclusiveLock'"));
        b.append(" ini ").append(Files.readString(bouncer.configFile()));
        Map<String, String> db = bouncer.showDatabase();
        b.append(" bouncer ").append(db.get("host")).append(':').append(db.get("port")).append(" paused ")
                .append(db.get("paused"));
        return b.toString();
    }
}
