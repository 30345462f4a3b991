package dev.bluegreen.cli.it;

import dev.bluegreen.cli.pipeline.Pipeline;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.testkit.LocalPgBouncer;
import dev.bluegreen.testkit.LocalPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * One cutover scenario's databases, roles and config: blue and green databases named after the test,
 * an application role of their own (the cutover changes role settings, which are cluster-wide), the
 * ledger schema of {@link LedgerLoad}, and the {@code /cutover/pipeline.yaml} config. A plain helper.
 */
final class CutoverSetup {

    static final int CLIENTS = 4;

    final String name;
    final String role;
    final LocalPostgres blue;
    final LocalPostgres green;
    final Path work;
    final Map<String, String> env = new HashMap<>();
    PipelineConfig config;

    CutoverSetup(String name, LocalPostgres blue, LocalPostgres green, Path work, String kafka) throws Exception {
        this.name = name;
        this.role = "app_" + name;
        this.blue = blue;
        this.green = green;
        this.work = work;
        blue.createDatabase(name);
        green.createDatabase(name);
        blue.execute(name, "CREATE ROLE " + role + " LOGIN");
        green.execute(name, "CREATE ROLE " + role + " LOGIN");
        try (Connection b = blue.connect(name); Connection g = green.connect(name)) {
            LedgerLoad.createBlue(b, role, CLIENTS);
            LedgerLoad.createGreen(g);
        }
        env.putAll(Map.of("NAME", name, "WORK_DIR", work.resolve("pipeline").toString(), "BLUE_URL",
                blue.jdbcUrl(name), "GREEN_URL", green.jdbcUrl(name), "KAFKA", kafka, "FREEZE", "lock",
                "MAX_FREEZE", "1000", "DRAIN", "800"));
        env.put("APP_ROLE", role);
    }

    /** A command router that records the flip in {@code flipped.txt} (absent: never flipped). */
    CutoverSetup commandRouter() {
        env.put("ROUTER", "{ type: command, command: [/bin/sh, -c, 'env | grep BLUEGREEN_TARGET > "
                + flipFlag() + "'] }");
        return this;
    }

    CutoverSetup pgBouncerRouter(LocalPgBouncer bouncer) {
        env.put("ROUTER", "{ type: pgbouncer, admin-port: " + bouncer.port() + ", admin-user: postgres,"
                + " database: " + name + ", config-file: '" + bouncer.configFile() + "' }");
        return this;
    }

    CutoverSetup set(String key, String value) {
        env.put(key, value);
        return this;
    }

    Path flipFlag() {
        return work.resolve("flipped.txt");
    }

    Path configFile() {
        return work.resolve("pipeline.yaml");
    }

    /** Writes the config and starts the pipeline; waits for snapshot and drain. */
    Pipeline startPipeline() throws Exception {
        config = Pipelines.config("/cutover/pipeline.yaml", work, env);
        Pipeline p = new Pipeline(config).start();
        Pipelines.awaitSnapshotAndDrain(p, Duration.ofMinutes(3));
        return p;
    }

    /** Runs a complete {@code bluegreen verify} (the cutover's parity pre-check needs one); asserts parity. */
    void verify() {
        CutoverDrills.verify(configFile(), work.resolve("verify"));
    }

    /** Runs {@code bluegreen cutover} in this JVM; returns its exit code. */
    int cutover(String... more) {
        return CutoverDrills.cutover(configFile(), work.resolve("cutover"), more);
    }

    /** Blue's ledger as client/seq to id. */
    Map<String, Long> blueLedger() throws SQLException {
        return rows(blue, "SELECT client, seq, id FROM public.ledger WHERE client > 0");
    }

    /** Green's entries as client/seq to id. */
    Map<String, Long> greenLedger() throws SQLException {
        return rows(green, "SELECT client_id, seq_no, entry_id FROM app.entry WHERE client_id > 0");
    }

    private Map<String, Long> rows(LocalPostgres server, String sql) throws SQLException {
        try (Connection c = server.connect(name)) {
            return CutoverDrills.ledger(c, sql);
        }
    }

    /** The application role's write privilege on a table, and whether its sessions default to read-only. */
    boolean canWrite(LocalPostgres server, String table) throws SQLException {
        try (Connection c = server.connect(name); PreparedStatement ps = c.prepareStatement(
                "SELECT has_table_privilege(?, ?, 'INSERT')")) {
            ps.setString(1, role);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** {@code pg_roles.rolconfig} of the application role on blue, e.g. {@code [default_transaction_read_only=on]}. */
    String blueRoleConfig() throws SQLException {
        try (Connection c = blue.connect(name); PreparedStatement ps = c.prepareStatement(
                "SELECT coalesce(array_to_string(rolconfig, ','), '') FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** One value of the newest cutover run in green's control schema. */
    String lastRun(String column) throws SQLException {
        try (Connection c = green.connect(name); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT " + column + " FROM bluegreen.cutover_run ORDER BY id DESC LIMIT 1")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    long count(LocalPostgres server, String sql) throws SQLException {
        try (Connection c = server.connect(name); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A connection as the application role, straight to a server. */
    Connection connectAsApp(LocalPostgres server) throws SQLException {
        return java.sql.DriverManager.getConnection(server.jdbcUrl(name), role, "");
    }
}
