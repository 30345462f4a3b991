package dev.bluegreen.cutover.parity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.bluegreen.core.config.EndpointConfig;
import dev.bluegreen.core.endpoint.Endpoints;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.cutover.parity.report.ParityReportHtml;
import dev.bluegreen.cutover.parity.report.ParityReportJson;
import dev.bluegreen.testkit.LocalPostgres;
import dev.bluegreen.testkit.LocalPostgresExtension;
import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 3: differences injected into green are each found, with their key and kind, on both the
 * streaming and the pushdown path, which give the same verdicts; the text-keyed table (green fetched
 * by key list, extra rows found by the final pass) and the split, filtered table work too. No pipeline
 * runs here: green is written directly, so rechecks happen once, immediately.
 */
@Tag("it-postgresql")
class InjectedDifferencesIT {

    @RegisterExtension
    static LocalPostgresExtension blueServer = new LocalPostgresExtension("parity-blue");

    @RegisterExtension
    static LocalPostgresExtension greenServer = new LocalPostgresExtension("parity-green");

    private static HikariDataSource blue;
    private static HikariDataSource green;
    private static List<ParityTable> tables;

    private static final String ITEMS = "SELECT i, 'item ' || i, (i % 100) + 0.50,"
            + " CASE WHEN i % 7 = 0 THEN NULL ELSE 'note ' || i END,"
            + " timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute', ARRAY['a' || i, 'b'], ARRAY[i, i + 1]"
            + " FROM generate_series(1, 2000) i";
    private static final String CODES = "SELECT 'k' || lpad(i::text, 4, '0'), 'label ' || i FROM generate_series(1, 500) i";
    private static final String ORDERS = "SELECT i, 'customer ' || (i % 13), i * 1.25,"
            + " CASE WHEN i % 10 = 0 THEN 'draft' ELSE 'placed' END FROM generate_series(1, 300) i";

    @BeforeAll
    static void setUp() throws Exception {
        LocalPostgres b = blueServer.postgres();
        LocalPostgres g = greenServer.postgres();
        b.createDatabase("parity");
        b.execute("parity", "CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, price numeric(10,2),"
                + " note text, seen_at timestamptz, tags text[], scores integer[]);"
                + " CREATE TABLE codes (code varchar(10) PRIMARY KEY, label text);"
                + " CREATE TABLE orders (id integer PRIMARY KEY, customer text, amount numeric(8,2), status text);"
                + " CREATE TABLE clean (id integer PRIMARY KEY, v text);"
                + " INSERT INTO items " + ITEMS + "; INSERT INTO codes " + CODES + "; INSERT INTO orders " + ORDERS + ";"
                + " INSERT INTO clean SELECT i, md5(i::text) FROM generate_series(1, 1000) i");
        g.createDatabase("parity");
        g.execute("parity", "CREATE SCHEMA shop;"
                + " CREATE TABLE shop.items (item_id bigint PRIMARY KEY, name varchar(50) NOT NULL, price numeric,"
                + " note text, seen_at timestamptz, tags text[], scores bigint[]);"
                + " CREATE TABLE shop.codes (code text PRIMARY KEY, label text);"
                + " CREATE TABLE shop.orders (id integer PRIMARY KEY, customer text);"
                + " CREATE TABLE shop.order_amounts (id integer PRIMARY KEY, amount numeric(8,2));"
                + " CREATE TABLE shop.clean (id integer PRIMARY KEY, v text);"
                + " INSERT INTO shop.items " + ITEMS + "; INSERT INTO shop.codes " + CODES + ";"
                + " INSERT INTO shop.orders SELECT i, 'customer ' || (i % 13) FROM generate_series(1, 300) i WHERE i % 10 <> 0;"
                + " INSERT INTO shop.order_amounts SELECT i, i * 1.25 FROM generate_series(1, 300) i WHERE i % 10 <> 0;"
                + " INSERT INTO shop.clean SELECT i, md5(i::text) FROM generate_series(1, 1000) i");
        injectDifferences(b, g);
        blue = Endpoints.pool(new EndpointConfig(b.jdbcUrl("parity"), "postgres", ""), "it-blue", 2, ErrorCode.BLUE_UNAVAILABLE);
        green = Endpoints.pool(new EndpointConfig(g.jdbcUrl("parity"), "postgres", ""), "it-green", 2,
                ErrorCode.GREEN_UNAVAILABLE);
        tables = ParityTables.compile(ParityTables.config(MAPPING), blue, green);
    }

    private static void injectDifferences(LocalPostgres b, LocalPostgres g) throws Exception {
        g.execute("parity", "DELETE FROM shop.items WHERE item_id = 10;"                         // missing row
                + " INSERT INTO shop.items (item_id, name) VALUES (5000, 'extra beyond blue');"  // extra row, after the last key
                + " UPDATE shop.items SET name = 'changed' WHERE item_id = 30;"                   // changed value
                + " UPDATE shop.items SET price = 40.5 WHERE item_id = 40;"                       // 40.50 vs 40.5
                + " UPDATE shop.items SET note = note || ' ' WHERE item_id = 50;"                 // trailing whitespace
                + " UPDATE shop.items SET seen_at = (seen_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Paris'"
                + "   WHERE item_id = 60;"                                                          // shifted by a zone
                + " UPDATE shop.items SET note = '' WHERE item_id = 70;"                          // NULL vs ''
                + " UPDATE shop.items SET tags[2] = 'c' WHERE item_id = 80;"                      // array element
                + " DELETE FROM shop.codes WHERE code = 'k0005';"
                + " INSERT INTO shop.codes VALUES ('k0007x', 'extra between keys');"
                + " UPDATE shop.codes SET label = 'label 8 ' WHERE code = 'k0008';"
                + " INSERT INTO shop.orders VALUES (20, 'draft, filtered out on blue');"
                + " DELETE FROM shop.order_amounts WHERE id = 3;"
                + " UPDATE shop.order_amounts SET amount = 5.01 WHERE id = 4");
        b.execute("parity", "DELETE FROM items WHERE id = 20"); // green keeps 20: an extra row inside blue's key range
    }

    @AfterAll
    static void tearDown() {
        if (blue != null) {
            blue.close();
        }
        if (green != null) {
            green.close();
        }
    }

    @Test
    void everyInjectedDifferenceIsFoundWithItsKeyAndKindOnBothPaths() throws Exception {
        ParitySettings small = ParitySettings.defaults().withChunkSizeRows(300).withBisectLeafRows(16);
        ParityReport streaming = check(small.withPath(VerifyPath.STREAMING));
        ParityReport auto = check(small.withPath(VerifyPath.AUTO));

        assertThat(auto.tables().get(0).path()).as("items is pushed down").isEqualTo(VerifyPath.PUSHDOWN);
        assertThat(auto.tables().get(1).path()).as("text key: streaming").isEqualTo(VerifyPath.STREAMING);
        assertThat(auto.tables().get(3).path()).isEqualTo(VerifyPath.PUSHDOWN);
        for (ParityReport r : List.of(streaming, auto)) {
            assertThat(r.parity()).isFalse();
            assertThat(found(r, 0)).containsExactlyInAnyOrder(
                    "missing-in-green shop.items {item_id=10} []",
                    "extra-in-green shop.items {item_id=20} []",
                    "extra-in-green shop.items {item_id=5000} []",
                    "differing shop.items {item_id=30} [name]",
                    "differing shop.items {item_id=40} [price]",
                    "differing shop.items {item_id=50} [note]",
                    "differing shop.items {item_id=60} [seen_at]",
                    "differing shop.items {item_id=70} [note]",
                    "differing shop.items {item_id=80} [tags]");
            assertThat(found(r, 1)).containsExactlyInAnyOrder(
                    "missing-in-green shop.codes {code='k0005'} []",
                    "extra-in-green shop.codes {code='k0007x'} []",
                    "differing shop.codes {code='k0008'} [label]");
            assertThat(found(r, 2)).containsExactlyInAnyOrder(
                    "extra-in-green shop.orders {id=20} []",
                    "missing-in-green shop.order_amounts {id=3} []",
                    "differing shop.order_amounts {id=4} [amount]");
            assertThat(r.tables().get(3).verdictText()).isEqualTo("match");
            assertThat(r.tables().get(0).verdictText()).isEqualTo("mismatch (9 keys)");
        }
        assertThat(verdicts(streaming)).isEqualTo(verdicts(auto));
        Difference scale = auto.tables().get(0).differences().stream()
                .filter(d -> d.greenKey().get("item_id").equals(40L)).findFirst().orElseThrow();
        assertThat(scale.expected().get("price").toString()).isEqualTo("40.50");
        assertThat(scale.actual().get("price").toString()).isEqualTo("40.5");
        assertThat(scale.blueKey().get("id")).isEqualTo(40L);
    }

    @Test
    void reportsListEveryDifferenceAndCarryTheConfigHashAndPositions() throws Exception {
        ParityReport r = check(ParitySettings.defaults());
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        ParityReportJson.write(r, json);
        JsonNode root = new ObjectMapper().readTree(json.toByteArray());
        assertThat(root.get("result").asText()).isEqualTo("mismatch");
        assertThat(root.get("configSha256").asText()).hasSize(64);
        assertThat(root.at("/positions/start/blueLsn").asText()).matches("[0-9A-F]+/[0-9A-F]+");
        assertThat(root.at("/tables/0/differences").size()).isEqualTo(9);
        assertThat(root.at("/tables/0/verdictText").asText()).isEqualTo("mismatch (9 keys)");
        JsonNode nullVsEmpty = null;
        for (JsonNode d : root.at("/tables/0/differences")) {
            if (d.at("/greenKey/item_id").asLong() == 70) {
                nullVsEmpty = d;
            }
        }
        assertThat(nullVsEmpty).isNotNull();
        assertThat(nullVsEmpty.at("/blue/note").isNull()).isTrue();
        assertThat(nullVsEmpty.at("/green/note").asText()).isEmpty();
        ReportSchemaAssert.conforms(root);
        StringWriter html = new StringWriter();
        ParityReportHtml.write(r, html);
        assertThat(html.toString()).contains("<!DOCTYPE html>").contains("mismatch (9 keys)")
                .doesNotContain("src=\"http").doesNotContain("</script><script src");
    }

    private static ParityReport check(ParitySettings settings) {
        return new ParityChecker(blue, green, "parity",
                new dev.bluegreen.core.control.AppliedWatermark(green, "parity", java.util.List.of(), 1), settings, ParityListener.NONE, Clock.systemUTC())
                .check(tables, "test.yaml", "0".repeat(64), true);
    }

    private static List<String> found(ParityReport r, int table) {
        return r.tables().get(table).differences().stream()
                .map(d -> d.kind().jsonName() + " " + d.greenTable() + " " + d.greenKey() + " " + d.columns()).toList();
    }

    private static Set<String> verdicts(ParityReport r) {
        return r.tables().stream().flatMap(t -> t.differences().stream()
                        .map(d -> t.blueTable() + " " + t.verdictText() + " " + d.kind() + " " + d.greenKey() + " "
                                + d.columns() + " " + d.expected() + " " + d.actual()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static final String MAPPING = String.join("\n",
            "pipeline: { name: parity }",
            "blue: { jdbc-url: 'jdbc:postgresql://127.0.0.1:1/parity', user: postgres }",
            "green: { jdbc-url: 'jdbc:postgresql://127.0.0.1:1/parity', user: postgres }",
            "tables:",
            "  - blue: public.items",
            "    green: shop.items",
            "    columns:",
            "      id: { rename: item_id, cast: bigint }",
            "      name: { cast: varchar }",
            "  - blue: public.codes",
            "    green: shop.codes",
            "  - blue: public.orders",
            "    filter: \"status != 'draft'\"",
            "    columns:",
            "      status: drop",
            "    targets:",
            "      - table: shop.orders",
            "        columns: [customer]",
            "      - table: shop.order_amounts",
            "        columns: [amount]",
            "  - blue: public.clean",
            "    green: shop.clean",
            "");
}
