package dev.bluegreen.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.bluegreen.datasource.ServerQueries.closedPort;
import static dev.bluegreen.datasource.ServerQueries.column;
import static dev.bluegreen.datasource.ServerQueries.serverPort;
import static dev.bluegreen.datasource.ServerQueries.value;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import dev.bluegreen.core.config.CutoverConfig;
import dev.bluegreen.core.control.ControlSchema;
import dev.bluegreen.cutover.router.DataSourceRouter;
import dev.bluegreen.testkit.LocalPostgres;
import dev.bluegreen.testkit.LocalPostgresExtension;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The switchable DataSource against two real PostgreSQL servers, steered by the coordinator's real
 * {@link DataSourceRouter}: freeze, drain, flip to green under write load, a coordinator that goes silent,
 * a caller that waits too long, and a lost control connection (issue 4, item 8).
 */
@Tag("it-postgresql")
class SwitchableDataSourceIT {

    @RegisterExtension
    static final LocalPostgresExtension BLUE = new LocalPostgresExtension("ds-blue");
    @RegisterExtension
    static final LocalPostgresExtension GREEN = new LocalPostgresExtension("ds-green");

    private static final String DB = "shop";
    private static final String APP_ROLE = "app";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String LEDGER = "CREATE TABLE ledger (writer int NOT NULL, n int NOT NULL,"
            + " PRIMARY KEY (writer, n)); GRANT SELECT, INSERT ON ledger TO " + APP_ROLE;

    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private final List<LedgerWriter> writers = new ArrayList<>();

    @BeforeAll
    static void createApplicationRole() throws SQLException {
        for (LocalPostgresExtension server : List.of(BLUE, GREEN)) {
            server.postgres().execute("postgres", "CREATE ROLE " + APP_ROLE + " LOGIN");
        }
    }

    @BeforeEach
    void createDatabases() throws SQLException {
        for (LocalPostgresExtension server : List.of(BLUE, GREEN)) {
            server.postgres().createDatabase(DB);
            server.postgres().execute(DB, LEDGER);
        }
        ControlSchema.migrate(superuser(GREEN));
        GREEN.postgres().execute(DB, "GRANT USAGE ON SCHEMA bluegreen TO " + APP_ROLE
                + "; GRANT SELECT ON bluegreen.route TO " + APP_ROLE);
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (LedgerWriter writer : writers) {
            writer.stop();
        }
        for (int i = closeAfter.size() - 1; i >= 0; i--) {
            closeAfter.get(i).close();
        }
    }

    @Test
    void freezeDrainsBorrowedConnectionsAndTheFlipMovesWaitingWritersToGreenWithoutErrors() throws Exception {
        DataSourceRouter router = router("flip", Duration.ofSeconds(3));
        SwitchableDataSource ds = start(config("flip").freezeWaitMs(60_000).retireGraceMs(10_000));
        assertThat(ds.state()).isEqualTo(new DataSourceState(Target.BLUE, Phase.SERVING, 1, false));
        for (int w = 1; w <= 3; w++) {
            writers.add(new LedgerWriter(ds, w, 0).start());
        }
        LedgerWriter slow = new LedgerWriter(ds, 4, 300).start();
        writers.add(slow);
        await().atMost(WAIT).until(() -> slow.acksOn(BLUE.port()) >= 1 && totalAcks() >= 30);

        await().atMost(WAIT).until(slow::inTransaction);
        long slowAcksBefore = slow.acks().size();
        router.pause(Duration.ofSeconds(10)); // publishes frozen, returns once every DataSource acknowledged it
        assertThat(ds.currentPhase()).as("the DataSource acknowledged the freeze before pause returned")
                .isEqualTo(Phase.FROZEN);
        await("the transaction borrowed before the freeze finished").atMost(WAIT)
                .until(() -> slow.acks().size() > slowAcksBefore);
        await("new getConnection() calls wait").atMost(WAIT).until(() -> ds.waitedCalls() >= writers.size());
        long blueRows = count(BLUE, "ledger");
        long acks = totalAcks();
        Thread.sleep(500);
        assertThat(count(BLUE, "ledger")).as("rows committed on blue while frozen").isEqualTo(blueRows);
        assertThat(totalAcks()).isEqualTo(acks);

        router.flip("green", null);
        assertThat(routeRow("flip")).as("the flip is published at resume, after green's grants").isEqualTo("frozen blue 2");
        router.resume();
        await().atMost(WAIT).until(() -> ds.state().equals(new DataSourceState(Target.GREEN, Phase.SERVING, 3, false)));
        await().atMost(WAIT).until(() -> writers.stream().allMatch(w -> w.acksOn(GREEN.port()) >= 5));
        for (LedgerWriter writer : writers) {
            writer.stop();
        }

        assertThat(writers).allSatisfy(w -> assertThat(w.errors()).isEmpty());
        assertThat(ds.refusedCalls()).isZero();
        assertAcksMatch(BLUE);
        assertAcksMatch(GREEN);
        for (LedgerWriter writer : writers) {
            int lastOnBlue = writer.acks().stream().filter(a -> a.port() == BLUE.port())
                    .mapToInt(LedgerWriter.Ack::n).max().orElse(0);
            int firstOnGreen = writer.acks().stream().filter(a -> a.port() == GREEN.port())
                    .mapToInt(LedgerWriter.Ack::n).min().orElseThrow();
            assertThat(lastOnBlue).as("writer %s went to blue after green", writer).isLessThan(firstOnGreen);
        }
        await("the old pool on blue is closed once its connections came back").atMost(WAIT)
                .until(() -> sessionsOf(BLUE) == 0);
    }

    @Test
    void aFreezeWhoseCoordinatorGoesSilentResumesOnBlueByItselfAfterTheLease() throws Exception {
        DataSourceRouter router = router("silent", Duration.ofMillis(1_000));
        SwitchableDataSource ds = start(config("silent").freezeWaitMs(60_000));
        LedgerWriter writer = new LedgerWriter(ds, 1, 0).start();
        writers.add(writer);
        await().atMost(WAIT).until(() -> writer.acks().size() >= 10);

        router.pause(Duration.ofSeconds(10));
        await().atMost(WAIT).until(() -> ds.currentPhase() == Phase.FROZEN);
        Thread.sleep(2_500);
        assertThat(ds.state()).as("keep-alives every 100 ms hold the freeze past its 1 s lease")
                .isEqualTo(new DataSourceState(Target.BLUE, Phase.FROZEN, 2, false));
        long acksWhileFrozen = writer.acks().size();

        router.close(); // the coordinator dies: its keep-alives stop, nothing more is published
        await().atMost(WAIT).until(() -> ds.state().equals(new DataSourceState(Target.BLUE, Phase.SERVING, 2, true)));
        await().atMost(WAIT).until(() -> writer.acks().size() >= acksWhileFrozen + 10);

        assertThat(writer.errors()).isEmpty();
        assertThat(writer.acksOn(GREEN.port())).isZero();
        assertThat(routeRow("silent")).as("the row still says frozen; the DataSource lapsed it").isEqualTo("frozen blue 2");

        // an application (re)started during the orphaned freeze waits one lease, then serves on blue too
        SwitchableDataSource restarted = start(config("silent").freezeWaitMs(60_000));
        assertThat(restarted.state()).isEqualTo(new DataSourceState(Target.BLUE, Phase.FROZEN, 2, false));
        assertThat(serverPort(restarted)).isEqualTo(BLUE.port());
        await().atMost(WAIT).until(() -> restarted.state().equals(new DataSourceState(Target.BLUE, Phase.SERVING, 2, true)));
        assertThat(restarted.waitedCalls()).isEqualTo(1);
    }

    @Test
    void aFlipToAnUnreachableGreenKeepsCallersFrozenWithTheReasonUntilTheRouteGoesBackToBlue() throws Exception {
        DataSourceRouter router = router("unreachable", Duration.ofSeconds(3));
        HikariConfig nowhere = pool(GREEN);
        nowhere.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + closedPort() + "/" + DB);
        SwitchableDataSource ds = start(config("unreachable").green(nowhere).freezeWaitMs(500));
        router.pause(Duration.ofSeconds(10));
        router.flip("green", null);
        router.resume();
        await().atMost(WAIT).until(() -> "serving green 3".equals(routeRow("unreachable")));

        await().atMost(WAIT).untilAsserted(() -> assertThatThrownBy(ds::getConnection)
                .isInstanceOf(SQLTransientConnectionException.class)
                .hasMessageContaining("the switch to green is waiting for its database")
                .hasMessageContaining("cannot open a connection pool on green"));
        assertThat(ds.state()).as("never back on blue by itself: the route says green")
                .isEqualTo(new DataSourceState(Target.BLUE, Phase.FROZEN, 2, false));

        router.flip("blue", null); // what the coordinator's undo does
        router.resume();
        await().atMost(WAIT).until(() -> ds.state().equals(new DataSourceState(Target.BLUE, Phase.SERVING, 4, false)));
        assertThat(serverPort(ds)).isEqualTo(BLUE.port());
    }

    @Test
    void aCallerThatWaitsLongerThanFreezeWaitMsGetsAClearErrorAndLaterCallsWork() throws Exception {
        DataSourceRouter router = router("waits", Duration.ofSeconds(3));
        SwitchableDataSource ds = start(config("waits").freezeWaitMs(300));
        router.pause(Duration.ofSeconds(10));
        await().atMost(WAIT).until(() -> ds.currentPhase() == Phase.FROZEN);

        assertThatThrownBy(ds::getConnection)
                .isInstanceOf(SQLTransientConnectionException.class)
                .hasMessageContaining("bluegreen pipeline 'waits'")
                .hasMessageContaining("freezeWaitMs=300 ms")
                .hasMessageContaining("writes are frozen for a cutover (route epoch 2, connections go to blue)")
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(SwitchableDataSource.SQLSTATE_FROZEN));
        assertThat(ds.refusedCalls()).isEqualTo(1);

        router.resume();
        await().atMost(WAIT).until(() -> ds.currentPhase() == Phase.SERVING);
        assertThat(serverPort(ds)).isEqualTo(BLUE.port());
    }

    @Test
    void aDroppedControlConnectionIsReopenedAndTheRouteStillFollowed() throws Exception {
        DataSourceRouter router = router("reconnect", Duration.ofSeconds(3));
        SwitchableDataSource ds = start(config("reconnect"));
        Set<String> firstControl = controlSessions("reconnect");
        assertThat(firstControl).hasSize(1);

        GREEN.postgres().execute(DB, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE application_name = 'bluegreen-route-reconnect'");
        await().atMost(WAIT).until(() -> {
            Set<String> now = controlSessions("reconnect");
            return now.size() == 1 && !now.equals(firstControl);
        });

        router.pause(Duration.ofSeconds(10));
        await().atMost(WAIT).until(() -> ds.currentPhase() == Phase.FROZEN);
        router.flip("green", null);
        router.resume();
        await().atMost(WAIT).until(() -> ds.currentTarget() == Target.GREEN && ds.currentPhase() == Phase.SERVING);
        assertThat(serverPort(ds)).isEqualTo(GREEN.port());
    }

    private SwitchableDataSourceConfig.Builder config(String pipeline) {
        return SwitchableDataSourceConfig.builder()
                .pipeline(pipeline)
                .control(GREEN.jdbcUrl(DB), APP_ROLE, null)
                .blue(pool(BLUE))
                .green(pool(GREEN))
                .initialTarget(Target.BLUE)
                .drainDeadlineMs(5_000)
                .retireGraceMs(5_000);
    }

    private static HikariConfig pool(LocalPostgresExtension server) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(server.jdbcUrl(DB));
        config.setUsername(APP_ROLE);
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(10_000);
        return config;
    }

    private SwitchableDataSource start(SwitchableDataSourceConfig.Builder config) throws SQLException {
        SwitchableDataSource ds = SwitchableDataSource.start(config.build());
        closeAfter.add(ds);
        return ds;
    }

    private DataSourceRouter router(String pipeline, Duration lease) {
        DataSourceRouter router = new DataSourceRouter(new CutoverConfig.DataSourceRoute(lease), pipeline,
                superuser(GREEN), superuser(BLUE), APP_ROLE);
        closeAfter.add(router);
        router.ensureRoute();
        assertThat(router.check()).contains("serving on blue");
        return router;
    }

    private static PGSimpleDataSource superuser(LocalPostgresExtension server) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(server.jdbcUrl(DB));
        ds.setUser(LocalPostgres.SUPERUSER);
        return ds;
    }

    private long totalAcks() {
        return writers.stream().mapToLong(w -> w.acks().size()).sum();
    }

    /** Every row acknowledged on {@code server} is there, and nothing else is. */
    private void assertAcksMatch(LocalPostgresExtension server) throws SQLException {
        Set<String> acked = new HashSet<>();
        writers.forEach(w -> w.acks().stream().filter(a -> a.port() == server.port())
                .forEach(a -> acked.add(a.writer() + ":" + a.n())));
        assertThat(new HashSet<>(column(server, DB, "SELECT writer || ':' || n FROM ledger")))
                .as("rows on %s vs acknowledged there", server.postgres().name()).isEqualTo(acked);
    }

    private static long count(LocalPostgresExtension server, String table) throws SQLException {
        return Long.parseLong(value(server, DB, "SELECT count(*) FROM " + table));
    }

    private static long sessionsOf(LocalPostgresExtension server) throws SQLException {
        return Long.parseLong(value(server, DB, "SELECT count(*) FROM pg_stat_activity WHERE usename = '" + APP_ROLE
                + "'"));
    }

    private static String routeRow(String pipeline) throws SQLException {
        return value(GREEN, DB, "SELECT phase || ' ' || target || ' ' || epoch FROM bluegreen.route WHERE pipeline = '"
                + pipeline + "'");
    }

    private static Set<String> controlSessions(String pipeline) throws SQLException {
        return new HashSet<>(column(GREEN, DB, "SELECT pid FROM pg_stat_activity WHERE application_name ="
                + " 'bluegreen-route-" + pipeline + "'"));
    }
}
