package dev.bluegreen.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bluegreen.cli.BluegreenCli;
import dev.bluegreen.cli.pipeline.Pipeline;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.testkit.LocalPostgres;
import dev.bluegreen.testkit.LocalPostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3: Pagila and Chinook replicated through their mappings, then {@code bluegreen verify} passes
 * (exit 0) with the replication running, writes both reports and records the pass in green; a value
 * changed in green afterwards is reported with its key (exit 1); {@code bluegreen status} shows both results.
 */
@Tag("it-postgresql")
class VerifyDatasetsIT {

    @RegisterExtension
    static LocalPostgresExtension blueServer = new LocalPostgresExtension("verify-blue");

    @RegisterExtension
    static LocalPostgresExtension greenServer = new LocalPostgresExtension("verify-green");

    @TempDir
    static Path work;

    @RegisterExtension
    static KafkaBrokerExtension broker = new KafkaBrokerExtension();

    @Test
    void pagilaVerifiesThenAChangedGreenValueIsReportedWithItsKey() throws Exception {
        Path datasets = Pipelines.datasets();
        LocalPostgres blue = blueServer.postgres();
        LocalPostgres green = greenServer.postgres();
        blue.createDatabase("pagila");
        blue.psqlFile("pagila", datasets.resolve("pagila/pagila-schema.sql"));
        blue.psqlFile("pagila", datasets.resolve("pagila/pagila-data.sql"));
        green.createDatabase("pagila");
        green.psqlFile("pagila", Path.of(VerifyDatasetsIT.class.getResource("/pagila/green.sql").toURI()));
        Path dir = Files.createDirectories(work.resolve("pagila"));
        PipelineConfig config = Pipelines.config("/pagila/pipeline.yaml", dir, env(dir, blue.jdbcUrl("pagila"),
                green.jdbcUrl("pagila")));
        try (Pipeline p = new Pipeline(config).start()) {
            Pipelines.awaitSnapshotAndDrain(p, Duration.ofMinutes(4));
            Path report = dir.resolve("report-pass");
            assertThat(verify(dir, report)).isZero();
            JsonNode json = new ObjectMapper().readTree(report.resolve("parity-report.json").toFile());
            assertThat(json.get("result").asText()).isEqualTo("parity");
            assertThat(json.get("configSha256").asText()).hasSize(64);
            assertThat(json.at("/positions/end/greenSinkOffsets").size()).isPositive();
            assertThat(json.get("tables").size()).isEqualTo(4);
            assertThat(Files.readString(report.resolve("parity-report.html"))).contains("PARITY");
            assertThat(latestRun(green, "pagila")).isEqualTo("parity true");
            String passed = Pipelines.statusOutput(dir.resolve("pipeline.yaml")); // issue 3 item 7
            assertThat(passed).contains("last verify: PARITY, complete, finished").contains("reports: " + report)
                    .containsPattern("\\n  public\\.film +match +[0-9,]+ rows").contains("last cutover: none ran")
                    .contains("next: parity holds; to cut over, add a cutover section");

            green.execute("pagila", "UPDATE shop.films SET title = 'NOT THE TITLE' WHERE film_id = 3");
            Path mismatch = dir.resolve("report-mismatch");
            assertThat(verify(dir, mismatch, "--tables", "public.film", "--recheck-attempts", "1")).isEqualTo(1);
            JsonNode m = new ObjectMapper().readTree(mismatch.resolve("parity-report.json").toFile());
            assertThat(m.get("result").asText()).isEqualTo("mismatch");
            assertThat(m.get("complete").asBoolean()).isFalse();
            JsonNode d = m.at("/tables/0/differences/0");
            assertThat(m.at("/tables/0/differences").size()).isEqualTo(1);
            assertThat(d.get("kind").asText()).isEqualTo("differing");
            assertThat(d.at("/blueKey/film_id").asInt()).isEqualTo(3);
            assertThat(d.at("/columns/0").asText()).isEqualTo("title");
            assertThat(d.at("/green/title").asText()).isEqualTo("NOT THE TITLE");
            assertThat(latestRun(green, "pagila")).isEqualTo("mismatch false");
            String mismatched = Pipelines.statusOutput(dir.resolve("pipeline.yaml"));
            assertThat(mismatched).contains("last verify: MISMATCH, a subset of the tables (--tables)")
                    .contains("1 mismatched key(s); 1 table(s)").contains("MISMATCH (1 key)")
                    .contains("next: 1 key(s) differ: read " + mismatch + "/parity-report.html");
        }
    }

    @Test
    void chinookVerifies() throws Exception {
        Path datasets = Pipelines.datasets();
        LocalPostgres blue = blueServer.postgres();
        LocalPostgres green = greenServer.postgres();
        blue.psqlFile("postgres", datasets.resolve("chinook/Chinook_PostgreSql.sql")); // creates database chinook
        green.createDatabase("chinook");
        green.execute("chinook", chinookGreenSchema(datasets.resolve("chinook/Chinook_PostgreSql.sql")));
        Path dir = Files.createDirectories(work.resolve("chinook"));
        Pipelines.config("/chinook/pipeline.yaml", dir, env(dir, blue.jdbcUrl("chinook"), green.jdbcUrl("chinook")));
        try (Pipeline p = new Pipeline(Pipelines.config("/chinook/pipeline.yaml", dir,
                env(dir, blue.jdbcUrl("chinook"), green.jdbcUrl("chinook")))).start()) {
            Pipelines.awaitSnapshotAndDrain(p, Duration.ofMinutes(4));
            Path report = dir.resolve("report");
            assertThat(verify(dir, report, "--path", "pushdown")).isZero();
            JsonNode json = new ObjectMapper().readTree(report.resolve("parity-report.json").toFile());
            assertThat(json.get("tables").size()).isEqualTo(11);
            for (JsonNode t : json.get("tables")) {
                assertThat(t.get("verdict").asText()).as(t.get("blueTable").asText()).isEqualTo("match");
                assertThat(t.get("path").asText()).as(t.get("blueTable").asText()).isEqualTo("pushdown");
            }
            assertThat(verify(dir, dir.resolve("report-streaming"), "--path", "streaming")).isZero();
        }
    }

    /** Green's schema "music": the dataset's tables, with track's key renamed and widened. */
    private static String chinookGreenSchema(Path dataset) throws Exception {
        StringBuilder sql = new StringBuilder("CREATE SCHEMA music;\n");
        Matcher m = Pattern.compile("CREATE TABLE (\\w+)\\s*\\((.*?)\\);", Pattern.DOTALL).matcher(Files.readString(dataset));
        while (m.find()) {
            String body = m.group(2);
            if (m.group(1).equals("track")) {
                body = body.replace("track_id INT NOT NULL", "id BIGINT NOT NULL")
                        .replace("name VARCHAR(200)", "title VARCHAR(200)").replace("(track_id)", "(id)");
            }
            sql.append("CREATE TABLE music.").append(m.group(1)).append(" (").append(body).append(");\n");
        }
        return sql.toString();
    }

    private static Map<String, String> env(Path dir, String blueUrl, String greenUrl) {
        return Map.of("WORK_DIR", dir.resolve("pipeline").toString(), "BLUE_URL", blueUrl, "GREEN_URL", greenUrl,
                "KAFKA", broker.bootstrapServers());
    }

    private static int verify(Path dir, Path report, String... more) {
        return Pipelines.verify(dir.resolve("pipeline.yaml"), report, more);
    }

    private static String latestRun(LocalPostgres green, String database) throws Exception {
        try (Connection c = green.connect(database); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT result, complete FROM bluegreen.parity_run ORDER BY id DESC LIMIT 1")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1) + " " + rs.getBoolean(2);
        }
    }
}
