package dev.bluegreen.cli.it;

import static dev.bluegreen.cli.it.CutoverDrills.awaitAcks;
import static dev.bluegreen.cli.it.CutoverDrills.awaitLine;
import static dev.bluegreen.cli.it.CutoverDrills.borrowed;
import static dev.bluegreen.cli.it.CutoverDrills.childCutover;
import static dev.bluegreen.cli.it.CutoverDrills.held;
import static dev.bluegreen.cli.it.CutoverDrills.stepDetail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bluegreen.cli.pipeline.Drain;
import dev.bluegreen.cli.pipeline.Pipeline;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.datasource.SwitchableDataSource;
import dev.bluegreen.datasource.SwitchableDataSourceConfig;
import dev.bluegreen.datasource.Target;
import dev.bluegreen.testkit.LocalMariaDb;
import dev.bluegreen.testkit.LocalMariaDbExtension;
import dev.bluegreen.testkit.LocalPostgres;
import dev.bluegreen.testkit.LocalPostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bluegreen cutover} from a MariaDB blue into a PostgreSQL green, on real servers and a real Kafka
 * broker, while an application user commits numbered transactions on blue ({@link LedgerLoad}): the freeze
 * takes {@code LOCK TABLES ... READ} on a coordinator session per table, the fence is a heartbeat in the
 * binlog, green's sequence moves past blue's AUTO_INCREMENT, and after the flip the application user's writes
 * are revoked on blue and its sessions killed before the locks go.
 */
@Tag("it-mariadb")
class MariaDbCutoverIT {

    static final int CLIENTS = 4;
    /**
     * Pause between a client's transactions, ms. With CutoverIT's 5 ms (about 500 transactions/s, 1,000 row changes/s)
     * the MariaDB capture in this JVM ran 2.5-4.5 s behind on the 2-core CI box, and a cutover then aborts at its
     * 800 ms drain timeout (as it must); these tests are about the protocol, not the capture's speed.
     */
    static final long THINK_MS = 20;

    @RegisterExtension
    static LocalMariaDbExtension blueServer = new LocalMariaDbExtension("cutover-mariadb-blue");

    @RegisterExtension
    static LocalPostgresExtension greenServer = new LocalPostgresExtension("cutover-mariadb-green");

    @RegisterExtension
    static KafkaBrokerExtension broker = new KafkaBrokerExtension();

    @TempDir
    Path work;

    /**
     * Through the switchable DataSource (freeze {@code router-pause}), after a dry run that changes nothing: the
     * cutover flips, the application saw no error, every acknowledged write is in green, blue took none after
     * the flip and refuses the application's writes now, and green's key sequence is past blue's ids.
     */
    @Test
    void flipsUnderLoadThroughTheSwitchableDataSource() throws Exception {
        // run first in a fresh JVM (cold JIT) the MariaDB capture ran 450-540 ms behind this load, and the drain
        // inside the freeze waits for it: a 816 ms window was measured, too close to the default budget of 1 s
        Scenario s = new Scenario("mviads").set("ROUTER", "{ type: datasource, lease-ms: 3000 }")
                .set("FREEZE", "router-pause").set("MAX_FREEZE", "3000").set("DRAIN", "2000");
        try (Pipeline p = s.startPipeline()) {
            s.verify();
            String before = s.state();
            assertThat(s.cutover("--dry-run", "--skip-final-verify")).as("dry run exit code").isZero();
            assertThat(CutoverDrills.report(s.reportDir()).toString()).contains("LOCK TABLES ... READ")
                    .contains("revoke the writes of user " + s.user);
            assertThat(s.state()).as("blue and green after the dry run").isEqualTo(before);

            SwitchableDataSourceConfig config = SwitchableDataSourceConfig.builder().pipeline(s.name)
                    .control(green().jdbcUrl(s.name), "postgres", null)
                    .blue(blue().jdbcUrl(s.name), s.user, null)
                    .green(green().jdbcUrl(s.name), s.user, null)
                    .initialTarget(Target.BLUE).build();
            try (SwitchableDataSource dataSource = SwitchableDataSource.start(config)) {
                LedgerLoad load = new LedgerLoad(borrowed(dataSource), blue().port(), s.name, CLIENTS, false).thinkTime(THINK_MS).start();
                awaitAcks(load, 200);
                assertThat(s.cutover()).as("cutover exit code, final check included").isZero();
                Map<String, Long> blueAtFlip = s.blueLedger();
                awaitAcks(load, load.ackCount() + 200);
                load.close();
                JsonNode report = CutoverDrills.report(s.reportDir());
                assertThat(report.get("outcome").asText()).isEqualTo("flipped");
                System.out.printf("FIGURE MariaDB blue, cutover via the switchable DataSource under load: freeze window"
                        + " %.1f ms, client max latency %d ms, %d acknowledged transactions%n",
                        report.get("freezeMs").asDouble(), load.maxLatencyMs(), load.ackCount());
                assertThat(load.errors()).as("errors seen by the application").isEmpty();
                assertThat(dataSource.currentTarget()).isEqualTo(Target.GREEN);
                assertThat(report.get("fence").get("lsn").asText()).startsWith("gtid 0-1-");
                assertThat(stepDetail(report, "blue.read-only")).contains("revoked")
                        .contains("GRANT INSERT, UPDATE, DELETE ON `" + s.name + "`.* TO '" + s.user + "'@'%'");

                Drain.await(p, Duration.ofMinutes(1));
                List<LedgerLoad.Ack> acks = load.acks();
                Map<String, Long> blueAcked = acks.stream().filter(a -> a.port() == blue().port())
                        .collect(Collectors.toMap(a -> a.client() + "/" + a.seq(), LedgerLoad.Ack::id));
                assertThat(acks).as("acknowledged by green").anyMatch(a -> a.port() == green().port());
                assertThat(s.blueLedger()).as("blue holds exactly what it acknowledged, none after the flip")
                        .isEqualTo(blueAcked).isEqualTo(blueAtFlip);
                assertThat(s.greenLedger()).as("green holds every acknowledged write, blue's under their blue ids")
                        .isEqualTo(acks.stream().collect(Collectors.toMap(a -> a.client() + "/" + a.seq(),
                                LedgerLoad.Ack::id)));
                assertThat(report.get("sequences").get(0).get("after").asLong()).as("green sequence past blue's ids")
                        .isGreaterThan(blueAtFlip.values().stream().mapToLong(Long::longValue).max().orElseThrow());
                try (Connection app = s.connectAsApp(); Statement st = app.createStatement()) {
                    assertThatThrownBy(() -> st.executeUpdate("INSERT INTO ledger (client, seq) VALUES (99, 1)"))
                            .as("a straggler writing to blue fails loudly").isInstanceOf(SQLException.class)
                            .hasMessageContaining("denied");
                }
            }
        }
    }

    /**
     * Freeze {@code lock} with writers straight on blue that write balance, wait, then ledger (the reverse of the
     * mapping's order): one LOCK TABLES over both would make the application the deadlock victim; the
     * coordinator's per-table sessions yield instead and retry in the learned order. The cutover flips; blue holds
     * exactly what it acknowledged and green all of it. Writers still on blue at the flip fail (killed, revoked).
     */
    @Test
    void lockFreezeNeverMakesTheApplicationADeadlockVictim() throws Exception {
        Scenario s = new Scenario("mlockorder").commandRouter().set("MAX_FREEZE", "3000");
        try (Pipeline p = s.startPipeline()) {
            s.verify();
            // 5 ms between transactions (a light load here: each holds balance for 50 ms), so that a client almost
            // surely holds balance when the freeze asks for it
            LedgerLoad load = new LedgerLoad(held(blue().jdbcUrl(s.name), s.user), blue().port(), s.name, CLIENTS, true)
                    .start();
            awaitAcks(load, 100);
            assertThat(s.cutover()).as("cutover exit code").isZero();
            Thread.sleep(500);
            load.close();
            JsonNode report = CutoverDrills.report(s.reportDir());
            String lockStep = stepDetail(report, "freeze.lock");
            System.out.printf("FIGURE MariaDB blue, lock freeze against reverse-order writers: freeze window %.1f ms;"
                    + " %s%n", report.get("freezeMs").asDouble(), lockStep);
            assertThat(report.get("outcome").asText()).isEqualTo("flipped");
            assertThat(lockStep).as("the first lock order waited on the writers and was learned").contains("attempts");
            assertThat(load.errors()).as("the application was never the deadlock victim")
                    .noneMatch(e -> e.contains("Deadlock") || e.contains("1213"));
            assertThat(Files.exists(s.flipFlag())).isTrue();
            Drain.await(p, Duration.ofMinutes(1));
            Map<String, Long> blueAcked = load.acks().stream().collect(Collectors.toMap(a -> a.client() + "/" + a.seq(),
                    LedgerLoad.Ack::id));
            assertThat(s.blueLedger()).as("blue holds exactly what it acknowledged").isEqualTo(blueAcked);
            assertThat(s.greenLedger()).as("green holds every write blue acknowledged").isEqualTo(blueAcked);
        }
    }

    /**
     * The coordinator is killed (SIGKILL) while it holds the freeze: its lock sessions die with it, blue takes the
     * application's writes again within seconds, and nothing was flipped, granted on green or revoked on blue.
     */
    @Test
    void coordinatorKilledDuringFreezeLeavesBlueServing() throws Exception {
        Scenario s = new Scenario("mkilled").commandRouter();
        try (Pipeline p = s.startPipeline()) {
            s.verify();
            String before = s.state();
            LedgerLoad load = s.directLoad();
            Path log = work.resolve("coordinator.log");
            Process child = s.coordinatorHoldingTheFreeze(log, 60000);
            try {
                awaitLine(log, "holding the freeze", child);
                int frozen = load.ackCount();
                Thread.sleep(500);
                assertThat(load.ackCount()).as("no write commits on blue while the freeze holds")
                        .isLessThanOrEqualTo(frozen + CLIENTS);
            } finally {
                child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            long killedAt = System.nanoTime();
            awaitAcks(load, load.ackCount() + 50);
            long resumedMs = (System.nanoTime() - killedAt) / 1_000_000;
            load.close();
            System.out.printf("FIGURE MariaDB blue, coordinator killed in the freeze: blue took 50 more writes %d ms"
                    + " later%n", resumedMs);
            assertThat(load.errors()).as("errors seen by the application").isEmpty();
            assertThat(Files.exists(s.flipFlag())).as("the router never ran").isFalse();
            assertThat(s.state()).as("grants on blue and green, green's sequence").isEqualTo(before);
            Drain.await(p, Duration.ofMinutes(1));
            assertThat(s.greenLedger()).as("green follows blue").isEqualTo(s.blueLedger());
        }
    }

    /**
     * The sink stops applying inside the freeze (a test session locks green's watermark table): the drain times
     * out, the cutover aborts and says why, the locks go and blue keeps serving with its grants intact.
     */
    @Test
    void drainTimeoutAbortsAndBlueKeepsServing() throws Exception {
        Scenario s = new Scenario("mdrain").commandRouter().set("DRAIN", "500").set("MAX_FREEZE", "10000");
        try (Pipeline p = s.startPipeline()) {
            s.verify();
            String before = s.state();
            LedgerLoad load = s.directLoad();
            Path log = work.resolve("coordinator.log");
            Process child = s.coordinatorHoldingTheFreeze(log, 1500);
            try (Connection stall = green().connect(s.name)) {
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
            awaitAcks(load, load.ackCount() + 100);
            load.close();
            assertThat(child.exitValue()).as("exit code of an aborted cutover").isEqualTo(1);
            JsonNode report = CutoverDrills.report(s.reportDir());
            assertThat(report.get("outcome").asText()).isEqualTo("aborted");
            assertThat(report.get("message").asText()).contains("stays on blue").contains("did not apply the fence");
            assertThat(load.errors()).isEmpty();
            assertThat(Files.exists(s.flipFlag())).isFalse();
            assertThat(s.state()).as("grants on blue and green after the abort").isEqualTo(before);
            Drain.await(p, Duration.ofMinutes(1));
            assertThat(s.greenLedger()).isEqualTo(s.blueLedger());
        }
    }

    /** PgBouncer cannot front MariaDB: a pgbouncer router with a MariaDB blue is refused, naming the routers that work. */
    @Test
    void pgBouncerRouterIsRefusedForAMariaDbBlue() throws Exception {
        Scenario s = new Scenario("mbouncer").set("ROUTER", "{ type: pgbouncer, admin-port: 1, admin-user: postgres,"
                + " database: mbouncer, config-file: /nonexistent/pgbouncer.ini }");
        s.writeConfig();
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        int code;
        try {
            code = s.cutover("--dry-run");
        } finally {
            System.setErr(original);
        }
        String text = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        original.print(text);
        assertThat(code).isEqualTo(2);
        assertThat(text).contains("pgbouncer fronts PostgreSQL only").contains("datasource");
    }

    private static LocalMariaDb blue() {
        return blueServer.mariaDb();
    }

    private static LocalPostgres green() {
        return greenServer.postgres();
    }

    /** One scenario's blue database, application user, green database, role and config. */
    private final class Scenario {
        final String name;
        final String user;
        final Map<String, String> env = new HashMap<>();

        Scenario(String name) throws Exception {
            this.name = name;
            this.user = "app_" + name;
            blue().createDatabase(name);
            green().createDatabase(name);
            blue().execute("", "DROP USER IF EXISTS '" + user + "'@'%'");
            green().execute(name, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + user
                    + "') THEN CREATE ROLE " + user + " LOGIN; END IF; END $$");
            try (Connection b = blue().connect(name); Connection g = green().connect(name)) {
                LedgerLoad.createMariaDbBlue(b, name, user, CLIENTS);
                LedgerLoad.createGreen(g);
            }
            env.putAll(Map.of("NAME", name, "DB", name, "WORK_DIR", work.resolve("pipeline").toString(), "BLUE_URL",
                    blue().jdbcUrl(name), "GREEN_URL", green().jdbcUrl(name), "KAFKA", broker.bootstrapServers(),
                    "FREEZE", "lock", "MAX_FREEZE", "1000", "DRAIN", "800"));
            env.put("APP_ROLE", user);
        }

        Scenario set(String key, String value) {
            env.put(key, value);
            return this;
        }

        /** A command router that records the flip in {@code flipped.txt} (absent: never flipped). */
        Scenario commandRouter() {
            return set("ROUTER", "{ type: command, command: [/bin/sh, -c, 'env | grep BLUEGREEN_TARGET > "
                    + flipFlag() + "'] }");
        }

        /** The application writing blue straight (one connection per client), once it has 100 acknowledged writes. */
        LedgerLoad directLoad() throws InterruptedException {
            LedgerLoad load = new LedgerLoad(held(blue().jdbcUrl(name), user), blue().port(), name, CLIENTS, false)
                    .thinkTime(THINK_MS).start();
            awaitAcks(load, 100);
            return load;
        }

        /** {@code bluegreen cutover} in a child JVM (so it can be killed), holding the freeze {@code holdMs}. */
        Process coordinatorHoldingTheFreeze(Path log, long holdMs) throws Exception {
            return childCutover(configFile(), reportDir(), log, "--skip-final-verify", "--hold-in-freeze-ms",
                    Long.toString(holdMs));
        }

        Path flipFlag() {
            return work.resolve("flipped.txt");
        }

        Path configFile() {
            return work.resolve("mariadb.yaml"); // Pipelines.config writes the resource under its own name
        }

        Path reportDir() {
            return work.resolve("cutover");
        }

        PipelineConfig writeConfig() throws Exception {
            return Pipelines.config("/cutover/mariadb.yaml", work, env);
        }

        /** Writes the config, starts the pipeline, waits for the copy and the drain. */
        Pipeline startPipeline() throws Exception {
            Pipeline p = new Pipeline(writeConfig()).start();
            try {
                Pipelines.awaitBackfill(p, Duration.ofMinutes(3));
                Drain.await(p, Duration.ofMinutes(3));
                return p;
            } catch (Exception | AssertionError e) {
                p.close();
                throw e;
            }
        }

        void verify() {
            CutoverDrills.verify(configFile(), work.resolve("verify"));
        }

        int cutover(String... more) {
            return CutoverDrills.cutover(configFile(), reportDir(), more);
        }

        Map<String, Long> blueLedger() throws SQLException {
            try (Connection c = blue().connect(name)) {
                return CutoverDrills.ledger(c, "SELECT client, seq, id FROM ledger WHERE client > 0");
            }
        }

        Map<String, Long> greenLedger() throws SQLException {
            try (Connection c = green().connect(name)) {
                return CutoverDrills.ledger(c, "SELECT client_id, seq_no, entry_id FROM app.entry WHERE client_id > 0");
            }
        }

        Connection connectAsApp() throws SQLException {
            return DriverManager.getConnection(blue().jdbcUrl(name), user, "");
        }

        /** What a cutover could change, as text: the user's grants on blue, the role's on green, green's sequence. */
        String state() throws SQLException {
            StringBuilder b = new StringBuilder("blue grants");
            try (Connection c = blue().connect(name); PreparedStatement ps = c.prepareStatement("SELECT TABLE_SCHEMA,"
                    + " PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ? ORDER BY 1, 2")) {
                ps.setString(1, "'" + user + "'@'%'");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        b.append(' ').append(rs.getString(1)).append(':').append(rs.getString(2));
                    }
                }
            }
            try (Connection c = green().connect(name); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT has_table_privilege('" + user + "', 'app.entry', 'INSERT'), has_table_privilege('" + user
                            + "', 'app.balance', 'UPDATE'), (SELECT last_value FROM app.entry_entry_id_seq),"
                            + " (SELECT count(*) FROM bluegreen.route)")) {
                rs.next();
                b.append(" green writes ").append(rs.getBoolean(1)).append(rs.getBoolean(2)).append(" seq ")
                        .append(rs.getLong(3)).append(" routes ").append(rs.getLong(4));
            }
            return b.toString();
        }
    }
}
