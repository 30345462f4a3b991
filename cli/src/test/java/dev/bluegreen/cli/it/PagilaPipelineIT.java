package dev.bluegreen.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.cli.pipeline.Drain;
import dev.bluegreen.cli.pipeline.Pipeline;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.testkit.LocalPostgres;
import dev.bluegreen.testkit.LocalPostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2 acceptance: Pagila replicated through a mapping that renames, casts, merges, splits a
 * table and reads a partitioned table; then inserts, updates (one changing a primary key, one
 * leaving a TOASTed text unchanged) and deletes on blue; green equals blue through the mapping,
 * row by row, after each phase.
 */
@Tag("it-postgresql")
class PagilaPipelineIT {

    @RegisterExtension
    static LocalPostgresExtension blueServer = new LocalPostgresExtension("pagila-blue");

    @RegisterExtension
    static LocalPostgresExtension greenServer = new LocalPostgresExtension("pagila-green");

    @TempDir
    static Path work;

    @RegisterExtension
    static KafkaBrokerExtension broker = new KafkaBrokerExtension();

    @Test
    void greenEqualsBlueThroughTheMappingAfterSnapshotAndStreaming() throws Exception {
        Path datasets = Pipelines.datasets();
        LocalPostgres blue = blueServer.postgres();
        LocalPostgres green = greenServer.postgres();
        blue.createDatabase("pagila");
        blue.psqlFile("pagila", datasets.resolve("pagila/pagila-schema.sql"));
        blue.psqlFile("pagila", datasets.resolve("pagila/pagila-data.sql"));
        green.createDatabase("pagila");
        green.psqlFile("pagila", Path.of(PagilaPipelineIT.class.getResource("/pagila/green.sql").toURI()));
        PipelineConfig config = Pipelines.config("/pagila/pipeline.yaml", work, Map.of(
                "WORK_DIR", work.resolve("pipeline").toString(),
                "BLUE_URL", blue.jdbcUrl("pagila"), "GREEN_URL", green.jdbcUrl("pagila"),
                "KAFKA", broker.bootstrapServers()));

        try (Pipeline p = new Pipeline(config).start()) {
            Pipelines.awaitSnapshotAndDrain(p, Duration.ofMinutes(4));
            Pipelines.assertGreenMatchesBlue(p);
            assertThat(Pipelines.status(p).deadLetters()).isZero();

            String bigText = changeOnBlue(blue);
            Drain.await(p, Duration.ofMinutes(2));
            // an update that leaves the TOASTed description unchanged: pgoutput sends a placeholder
            blue.execute("pagila", "UPDATE film SET rental_rate = 1.49 WHERE film_id = 7");
            Drain.await(p, Duration.ofMinutes(2));

            Pipelines.assertGreenMatchesBlue(p);
            try (Connection c = green.connect("pagila"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT description, rental_rate FROM shop.films WHERE film_id = 7")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(bigText);
                assertThat(rs.getBigDecimal(2)).isEqualByComparingTo("1.49");
            }
            try (Connection c = green.connect("pagila"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT rating FROM shop.films WHERE film_id = 2")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).as("a NULL written on blue over the column's DEFAULT stays NULL").isNull();
            }
            try (Connection c = green.connect("pagila"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT id, full_name FROM shop.customers WHERE full_name = 'Ada Lovelace'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).as("primary-key change moved the new customer to 9005").isEqualTo(9005);
                assertThat(rs.next()).as("no row left under the old key").isFalse();
            }
            assertThat(Pipelines.status(p).deadLetters()).isZero();
            assertThat(toastPlaceholderEvents(p)).as("the rate update carried the unchanged-TOAST placeholder,"
                    + " so the test exercised that path").isPositive();
            String status = statusCommandOutput(work.resolve("pipeline.yaml"));
            assertThat(status).contains("pipeline pagila: running").contains("replication lag:")
                    .contains("public.payment").contains("done (").contains("dead letters");
        }
    }

    /** Counts change events of film 7 whose description is Debezium's unavailable-value placeholder. */
    private static long toastPlaceholderEvents(Pipeline p) {
        java.util.Properties props = new java.util.Properties();
        props.put("bootstrap.servers", p.bootstrapServers());
        props.put("group.id", "pagila-it-inspect");
        props.put("auto.offset.reset", "earliest");
        long found = 0;
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(props,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.StringDeserializer())) {
            consumer.subscribe(java.util.List.of("bluegreen.pagila.public.film"));
            long deadline = System.currentTimeMillis() + 15_000;
            while (System.currentTimeMillis() < deadline && found == 0) {
                for (var r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() != null && r.value().contains("\"film_id\":7,")
                            && r.value().contains("__debezium_unavailable_value")) {
                        found++;
                    }
                }
            }
        }
        return found;
    }

    private static String statusCommandOutput(Path config) {
        java.io.PrintStream original = System.out;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertThat(dev.bluegreen.cli.BluegreenCli.execute("status", "--config", config.toString())).isZero();
        } finally {
            System.setOut(original);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Inserts, updates and deletes on blue; returns the large text written to film 7. */
    private static String changeOnBlue(LocalPostgres blue) throws Exception {
        try (Connection c = blue.connect("pagila"); Statement st = c.createStatement()) {
            st.execute("INSERT INTO customer (store_id, first_name, last_name, email, address_id, active)"
                    + " VALUES (1, 'Ada', 'Lovelace', 'ada@example.org', 5, 1)");
            st.execute("UPDATE customer SET email = 'mary.smith@example.org', active = 0 WHERE customer_id = 1");
            // primary-key change (of the new customer: Pagila's foreign keys to customer do not cascade)
            st.execute("UPDATE customer SET customer_id = 9005 WHERE email = 'ada@example.org'");
            st.execute("DELETE FROM payment WHERE payment_id IN (SELECT payment_id FROM payment ORDER BY payment_id LIMIT 3)");
            st.execute("UPDATE rental SET return_date = now() WHERE rental_id = 10");
            st.execute("INSERT INTO film (title, language_id, special_features, rating, fulltext)"
                    + " VALUES ('NEW FILM', 1, ARRAY['Trailers', 'Commentaries', NULL], 'PG-13', to_tsvector('new film'))");
            st.execute("UPDATE film SET special_features = ARRAY['Deleted Scenes'] WHERE film_id = 1");
            // NULL in a nullable column with a DEFAULT ('G'): Kafka Connect's JsonConverter writes the
            // default instead of the NULL unless replace.null.with.default=false (KAFKA-8713, KIP-581)
            st.execute("UPDATE film SET rating = NULL WHERE film_id = 2");
            // a large, incompressible description: stored out of line (TOAST)
            st.execute("UPDATE film SET description = (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 4000) i)"
                    + " WHERE film_id = 7");
            try (ResultSet rs = st.executeQuery("SELECT description FROM film WHERE film_id = 7")) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
