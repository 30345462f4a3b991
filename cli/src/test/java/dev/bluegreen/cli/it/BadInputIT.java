package dev.bluegreen.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bluegreen.cli.BluegreenCli;
import dev.bluegreen.cli.pipeline.Drain;
import dev.bluegreen.cli.pipeline.Pipeline;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.testkit.LocalPostgres;
import dev.bluegreen.testkit.LocalPostgresExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2, bad input: invalid YAML and a mapping to a missing column are rejected at start with
 * file, line, YAML path and fix (exit code 2); a value that overflows its cast lands in the
 * dead-letter table with the raw event, and the pipeline stops once the budget is exceeded.
 */
@Tag("it-postgresql")
class BadInputIT {

    @RegisterExtension
    static LocalPostgresExtension blueServer = new LocalPostgresExtension("bad-blue");

    @RegisterExtension
    static LocalPostgresExtension greenServer = new LocalPostgresExtension("bad-green");

    @TempDir
    static Path work;

    @RegisterExtension
    static KafkaBrokerExtension broker = new KafkaBrokerExtension();

    @BeforeAll
    static void setUp() throws Exception {
        CountersSchema.create(blueServer.postgres(), greenServer.postgres(), "bad");
    }

    @Test
    void invalidYamlIsRejectedWithFileAndLine() throws Exception {
        Path file = work.resolve("broken.yaml");
        Files.writeString(file, "pipeline:\n  name: x\n blue: [unclosed\n");
        Result r = cli("validate", "--config", file.toString());
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.stderr).contains("broken.yaml:").contains("not valid YAML");
    }

    @Test
    void mappingToAMissingColumnNamesTheYamlPathAndTheFix() throws Exception {
        Path file = work.resolve("missing-column.yaml");
        String yaml = Files.readString(config("0").source())
                .replace("label: { cast: varchar }", "lable: { cast: varchar }");
        Files.writeString(file, yaml);
        Result r = cli("validate", "--config", file.toString());
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.stderr).contains("missing-column.yaml:").contains("tables[0].columns.lable").contains("label");
    }

    @Test
    void valueOverflowingItsCastGoesToTheDeadLetterTableAndTheBudgetStopsThePipeline() throws Exception {
        LocalPostgres blue = blueServer.postgres();
        try (Pipeline p = new Pipeline(config("1")).start()) {
            Pipelines.awaitSnapshotAndDrain(p, Duration.ofMinutes(3));
            blue.execute("bad", "INSERT INTO counters VALUES (1001, 0, 2.00, 'far too long for varchar(12)')");
            blue.execute("bad", "INSERT INTO counters VALUES (1002, 0, 3.00, 'fits')");
            Drain.await(p, Duration.ofMinutes(2));
            try (Connection c = greenServer.postgres().connect("bad"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT blue_table, error, raw_event FROM bluegreen.dead_letter")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("public.counters");
                assertThat(rs.getString(2)).contains("label").contains("12");
                assertThat(rs.getString(3)).contains("far too long for varchar(12)");
                assertThat(rs.next()).isFalse();
            }
            try (Connection c = greenServer.postgres().connect("bad"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT id FROM app.counters WHERE id IN (1001, 1002)")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(1002);
                assertThat(rs.next()).isFalse();
            }
            blue.execute("bad", "UPDATE counters SET label = 'also far too long' WHERE id = 1");
            assertThatThrownBy(() -> {
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (System.nanoTime() < deadline) {
                    p.checkHealthy();
                    Thread.sleep(100);
                }
            }).isInstanceOfSatisfying(BluegreenException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.DEAD_LETTER_BUDGET_EXCEEDED);
                assertThat(e.getMessage()).contains("2 rows").contains("budget of 1");
            });
        }
    }

    private static PipelineConfig config(String budget) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("NAME", "bad" + budget, "WORK_DIR", work.resolve("pipeline-" + budget).toString(),
                "BLUE_URL", blueServer.postgres().jdbcUrl("bad"), "GREEN_URL", greenServer.postgres().jdbcUrl("bad"),
                "BUDGET", budget, "SNAPSHOT", "copy"));
        Path dir = Files.createDirectories(work.resolve("cfg-" + budget));
        String yaml = new String(BadInputIT.class.getResourceAsStream("/counters/pipeline.yaml").readAllBytes(),
                StandardCharsets.UTF_8).replace("bootstrap: embedded", "bootstrap: " + broker.bootstrapServers());
        for (Map.Entry<String, String> e : env.entrySet()) {
            yaml = yaml.replace("${" + e.getKey() + "}", e.getValue());
        }
        Path file = dir.resolve("pipeline.yaml");
        Files.writeString(file, yaml);
        return new dev.bluegreen.core.config.PipelineConfigLoader().load(file);
    }

    private static Result cli(String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = BluegreenCli.execute(args);
            return new Result(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
    }

    private record Result(int exitCode, String stderr) {
    }
}
