package dev.bluegreen.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bluegreen.cli.BluegreenCli;
import dev.bluegreen.datasource.SwitchableDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the cutover tests of both blue engines do around a cutover: the application's connections, waiting for
 * its acknowledged writes, a coordinator in a child JVM (to kill it), and the report. Static helpers only.
 */
final class CutoverDrills {

    private CutoverDrills() {
    }

    /** One connection per client, held for its whole run, straight to a server as {@code user}. */
    static LedgerLoad.Connections held(String url, String user) {
        return new LedgerLoad.Connections() {
            @Override
            public Connection open() throws SQLException {
                return DriverManager.getConnection(url, user, "");
            }

            @Override
            public boolean perTransaction() {
                return false;
            }
        };
    }

    /** A connection borrowed from the switchable DataSource for every transaction. */
    static LedgerLoad.Connections borrowed(SwitchableDataSource dataSource) {
        return new LedgerLoad.Connections() {
            @Override
            public Connection open() throws SQLException {
                return dataSource.getConnection();
            }

            @Override
            public boolean perTransaction() {
                return true;
            }
        };
    }

    /** Waits (at most 60 s, else fails with the application's errors) until {@code atLeast} writes were acknowledged. */
    static void awaitAcks(LedgerLoad load, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (load.ackCount() < atLeast) {
            assertThat(System.nanoTime()).as("the application reached " + atLeast + " acknowledged writes; errors: "
                    + load.errors()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Starts {@code bluegreen cutover} in a child JVM, its output in {@code log}. */
    static Process childCutover(Path config, Path reportDir, Path log, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"), BluegreenCli.class.getName(),
                "cutover", "--config", config.toString(), "--report", reportDir.toString()));
        cmd.addAll(List.of(more));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits (at most 60 s) for {@code text} in a child's log; fails if the child ends first. */
    static void awaitLine(Path log, String text, Process child) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(log) || !Files.readString(log).contains(text)) {
            assertThat(child.isAlive()).as("coordinator still running; its output:\n"
                    + (Files.exists(log) ? Files.readString(log) : "")).isTrue();
            assertThat(System.nanoTime()).as("'" + text + "' in " + log).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Runs a complete {@code bluegreen verify} (the cutover's parity pre-check needs one); asserts parity. */
    static void verify(Path config, Path reportDir) {
        assertThat(BluegreenCli.execute("verify", "--config", config.toString(), "--report", reportDir.toString(),
                "--no-progress")).as("bluegreen verify before the cutover").isZero();
    }

    /** Runs {@code bluegreen cutover} in this JVM; returns its exit code. */
    static int cutover(Path config, Path reportDir, String... more) {
        List<String> args = new ArrayList<>(List.of("cutover", "--config", config.toString(), "--report",
                reportDir.toString()));
        args.addAll(List.of(more));
        return BluegreenCli.execute(args.toArray(String[]::new));
    }

    /** A ledger query's rows ({@code client, seq, id}) as {@code client/seq} to id. */
    static Map<String, Long> ledger(Connection c, String sql) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.put(rs.getInt(1) + "/" + rs.getInt(2), rs.getLong(3));
            }
        }
        return out;
    }

    /** {@code cutover-report.json} in {@code reportDir}. */
    static JsonNode report(Path reportDir) throws Exception {
        return new ObjectMapper().readTree(reportDir.resolve("cutover-report.json").toFile());
    }

    /** The detail of the report's step {@code name}, or empty when it has none. */
    static String stepDetail(JsonNode report, String name) {
        for (JsonNode step : report.get("steps")) {
            if (step.get("name").asText().equals(name)) {
                return step.get("detail").asText();
            }
        }
        return "";
    }
}
