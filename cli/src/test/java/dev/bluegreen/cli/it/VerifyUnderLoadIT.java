package dev.bluegreen.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bluegreen.cli.BluegreenCli;
import dev.bluegreen.cli.pipeline.Drain;
import dev.bluegreen.cli.pipeline.Pipeline;
import dev.bluegreen.testkit.LocalPostgres;
import dev.bluegreen.testkit.LocalPostgresExtension;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;

/**
 * Issue 3, live: {@code bluegreen verify} while {@code pgbench -c 4} writes to blue and the pipeline
 * replicates gives no false mismatch (hot rows such as the single branch row are settled by the locked
 * recheck); after the load, the pushdown and streaming paths give the same verdicts. Prints the verify
 * throughput of both paths next to a plain {@code COPY} of the accounts table on each side. The pgbench
 * scale is {@code -Dbluegreen.it.pgbench.scale} (default 1), the load's duration
 * {@code -Dbluegreen.it.pgbench.seconds} (default 60; both verifies under load must end before it does).
 */
@Tag("it-postgresql")
class VerifyUnderLoadIT {

    @RegisterExtension
    static LocalPostgresExtension blueServer = new LocalPostgresExtension("load-blue");

    @RegisterExtension
    static LocalPostgresExtension greenServer = new LocalPostgresExtension("load-green");

    @TempDir
    static Path work;

    @RegisterExtension
    static KafkaBrokerExtension broker = new KafkaBrokerExtension();

    @Test
    void noFalseMismatchUnderPgbenchLoadAndBothPathsAgreeAfterIt() throws Exception {
        int scale = Integer.getInteger("bluegreen.it.pgbench.scale", 1);
        LocalPostgres blue = blueServer.postgres();
        LocalPostgres green = greenServer.postgres();
        blue.createDatabase("bench");
        run(pgbench(blue, "-i", "-q", "-s", Integer.toString(scale), "bench"));
        blue.execute("bench", "ALTER TABLE pgbench_history ADD COLUMN hid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY");
        green.createDatabase("bench");
        green.psqlFile("bench", Path.of(VerifyUnderLoadIT.class.getResource("/pgbench/green.sql").toURI()));
        Pipelines.config("/pgbench/pipeline.yaml", work, Map.of("WORK_DIR", work.resolve("pipeline").toString(),
                "BLUE_URL", blue.jdbcUrl("bench"), "GREEN_URL", green.jdbcUrl("bench"), "KAFKA", broker.bootstrapServers()));
        try (Pipeline p = new Pipeline(Pipelines.config("/pgbench/pipeline.yaml", work, Map.of("WORK_DIR",
                work.resolve("pipeline").toString(), "BLUE_URL", blue.jdbcUrl("bench"), "GREEN_URL",
                green.jdbcUrl("bench"), "KAFKA", broker.bootstrapServers()))).start()) {
            Pipelines.awaitSnapshotAndDrain(p, Duration.ofMinutes(6));
            String seconds = Integer.toString(Integer.getInteger("bluegreen.it.pgbench.seconds", 60));
            Process load = pgbench(blue, "-n", "-c", "4", "-j", "2", "-T", seconds, "bench").start();
            try {
                Thread.sleep(3_000);
                assertThat(load.isAlive()).as("pgbench is writing").isTrue();
                assertThat(verify("live-auto")).as("verify under load, auto path").isZero();
                assertThat(load.isAlive()).as("the load was still running after the verify").isTrue();
                assertThat(verify("live-streaming", "--path", "streaming")).as("verify under load, streaming").isZero();
            } finally {
                assertThat(load.waitFor()).as("pgbench exit code").isZero();
            }
            Drain.await(p, Duration.ofMinutes(3));
            assertThat(verify("quiet-pushdown", "--path", "pushdown")).isZero();
            assertThat(verify("quiet-streaming", "--path", "streaming")).isZero();
            printFigures(blue, green, scale);
            green.execute("bench", "UPDATE bank.account SET balance = balance + 1 WHERE account_id IN (7, 70000);"
                    + " DELETE FROM bank.teller WHERE teller_id = 3");
            assertThat(verify("bad-pushdown", "--path", "pushdown", "--recheck-attempts", "1")).isEqualTo(1);
            assertThat(verify("bad-streaming", "--path", "streaming", "--recheck-attempts", "1")).isEqualTo(1);
            assertThat(differences("bad-pushdown")).isEqualTo(differences("bad-streaming"))
                    .containsExactlyInAnyOrder("public.pgbench_tellers missing-in-green {\"tid\":3}",
                            "public.pgbench_accounts differing {\"aid\":7}", "public.pgbench_accounts differing {\"aid\":70000}");
        }
    }

    private static int verify(String name, String... more) {
        List<String> args = new ArrayList<>(List.of("verify", "--config", work.resolve("pipeline.yaml").toString(),
                "--report", work.resolve(name).toString(), "--no-progress"));
        args.addAll(List.of(more));
        return BluegreenCli.execute(args.toArray(String[]::new));
    }

    private static List<String> differences(String name) throws Exception {
        JsonNode r = new ObjectMapper().readTree(work.resolve(name).resolve("parity-report.json").toFile());
        List<String> out = new ArrayList<>();
        for (JsonNode t : r.get("tables")) {
            for (JsonNode d : t.get("differences")) {
                out.add(t.get("blueTable").asText() + " " + d.get("kind").asText() + " " + d.get("blueKey"));
            }
        }
        return out;
    }

    private static void printFigures(LocalPostgres blue, LocalPostgres green, int scale) throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (String run : List.of("quiet-pushdown", "quiet-streaming")) {
            JsonNode r = json.readTree(work.resolve(run).resolve("parity-report.json").toFile());
            for (JsonNode t : r.get("tables")) {
                if (t.get("blueTable").asText().equals("public.pgbench_accounts")) {
                    System.out.printf("FIGURE scale %d verify %s pgbench_accounts: %d rows in %d ms = %d rows/s%n", scale,
                            t.get("path").asText(), t.get("blueRows").asLong(), t.get("durationMs").asLong(),
                            t.get("rowsPerSecond").asLong());
                }
            }
        }
        System.out.printf("FIGURE scale %d COPY blue pgbench_accounts ORDER BY aid: %d ms%n", scale,
                copyMs(blue, "COPY (SELECT * FROM pgbench_accounts ORDER BY aid) TO STDOUT"));
        System.out.printf("FIGURE scale %d COPY green bank.account ORDER BY account_id: %d ms%n", scale,
                copyMs(green, "COPY (SELECT * FROM bank.account ORDER BY account_id) TO STDOUT"));
    }

    private static long copyMs(LocalPostgres server, String sql) throws Exception {
        try (Connection c = server.connect("bench")) {
            long t0 = System.nanoTime();
            c.unwrap(PGConnection.class).getCopyAPI().copyOut(sql, OutputStream.nullOutputStream());
            return (System.nanoTime() - t0) / 1_000_000;
        }
    }

    private static ProcessBuilder pgbench(LocalPostgres blue, String... args) {
        List<String> cmd = new ArrayList<>(List.of(blue.binDir().resolve("pgbench").toString(), "-h", "127.0.0.1", "-p",
                Integer.toString(blue.port()), "-U", "postgres"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("pgbench.log").toFile()));
    }

    private static void run(ProcessBuilder pb) throws Exception {
        Process p = pb.start();
        assertThat(p.waitFor()).as("pgbench -i (see " + work.resolve("pgbench.log") + ")").isZero();
        Files.createDirectories(work);
    }
}
