package dev.bluegreen.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bluegreen.core.error.ConfigException;
import dev.bluegreen.core.event.TableId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Defaults pinned, every key mapped, every rule exercised (Trino's three-test pattern). */
class PipelineConfigLoaderTest {

    private static final String MINIMAL = """
            pipeline:
              name: shop
            blue:
              jdbc-url: jdbc:postgresql://127.0.0.1:5999/app
              user: bg
            green:
              jdbc-url: jdbc:postgresql://127.0.0.1:6000/app
              user: bg
            tables:
              - blue: public.orders
                green: shop.orders
            """;

    private final PipelineConfigLoader loader = new PipelineConfigLoader(Map.of("PW", "secret")::get);

    private PipelineConfig parse(String yaml) {
        return loader.parse(yaml, "pipeline.yaml", Path.of("/etc/bg"));
    }

    private ConfigException problems(String yaml) {
        return (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() -> parse(yaml));
    }

    @Test
    void defaults() {
        PipelineConfig c = parse(MINIMAL);
        assertThat(c.name()).isEqualTo("shop");
        assertThat(c.workDir()).isEqualTo(Path.of("/etc/bg/.bluegreen/shop"));
        assertThat(c.blue().password()).isEmpty();
        assertThat(c.kafka()).isEqualTo(new KafkaConfig("embedded", 1, Map.of()));
        assertThat(c.capture()).isEqualTo(new CaptureConfig(Duration.ofMillis(10), Duration.ofMillis(1000), "copy", 2048));
        assertThat(c.sink()).isEqualTo(new SinkConfig(2000, 100, Duration.ofMillis(200)));
        assertThat(c.backfill()).isEqualTo(new BackfillConfig(4, 50_000, 0, "auto", "keep"));
        assertThat(c.slotName()).isEqualTo("bluegreen_shop");
        assertThat(c.topicPrefix()).isEqualTo("bluegreen.shop");
        TableMapping t = c.tables().get(0);
        assertThat(t.blue()).isEqualTo(new TableId("public", "orders"));
        assertThat(t.targets()).extracting(TargetTable::table).containsExactly(new TableId("shop", "orders"));
        assertThat(t.key()).isEmpty();
        assertThat(t.filter()).isNull();
        assertThat(t.columns()).isEmpty();
        assertThat(t.added()).isEmpty();
    }

    @Test
    void mariaDbBlueIsAccepted() {
        PipelineConfig c = parse(MINIMAL.replace("jdbc:postgresql://127.0.0.1:5999/app", "jdbc:mariadb://10.0.0.7:3307/shop")
                .replace("public.orders", "shop.orders"));
        assertThat(dev.bluegreen.core.dialect.Engine.of(c.blue())).isEqualTo(dev.bluegreen.core.dialect.Engine.MARIADB);
        assertThat(dev.bluegreen.core.dialect.Engine.of(c.green())).isEqualTo(dev.bluegreen.core.dialect.Engine.POSTGRESQL);
        assertThat(c.blue().host()).isEqualTo("10.0.0.7");
        assertThat(c.blue().port()).isEqualTo(3307);
        assertThat(c.blue().database()).isEqualTo("shop");
        assertThat(c.tables().get(0).blue()).isEqualTo(new TableId("shop", "orders"));
        assertThat(c.backfill().parallelism()).as("cores, at most 4")
                .isEqualTo(Math.min(4, Runtime.getRuntime().availableProcessors()));
        assertThat(parse(MINIMAL).backfill().parallelism()).as("PostgreSQL's default").isEqualTo(4);
    }

    @Test
    void everyKeyMapsToItsField() {
        PipelineConfig c = parse("""
                pipeline:
                  name: shop
                  work-dir: /var/lib/bg
                blue:
                  jdbc-url: jdbc:postgresql://blue:5432/app
                  user: bg
                  password: ${PW}
                green:
                  jdbc-url: jdbc:postgresql://green:5433/app2
                  user: bg2
                  password: literal
                kafka:
                  bootstrap: k1:9092,k2:9092
                  partitions: 6
                  properties:
                    security.protocol: SSL
                capture:
                  poll-interval-ms: 50
                  heartbeat-interval-ms: 250
                  snapshot: never
                  max-batch-size: 512
                sink:
                  batch-size-rows: 700
                  dead-letter-budget-rows: 0
                  poll-timeout-ms: 40
                backfill:
                  parallelism: 4
                  chunk-rows: 10000
                  max-rows-per-second: 50000
                  path: rows
                  indexes: build-after
                tables:
                  - blue: sales.orders
                    key: [order_no]
                    filter: "status != 'draft'"
                    columns:
                      id: drop
                      amount: { rename: amount_cents, cast: minor-units, scale: 2 }
                      placed: { cast: timestamptz, zone: Europe/Paris }
                      customer: buyer
                      name: { split: { into: [first, last], separator: " " } }
                    add:
                      origin: { value: legacy }
                      total: { expr: "amount * 2" }
                      label: { merge: [a, b], separator: "-" }
                    targets:
                      - table: shop.orders
                        columns: [amount_cents, placed]
                      - table: shop.order_names
                        columns: [first, last]
                """);
        assertThat(c.workDir()).isEqualTo(Path.of("/var/lib/bg"));
        assertThat(c.blue()).isEqualTo(new EndpointConfig("jdbc:postgresql://blue:5432/app", "bg", "secret"));
        assertThat(c.blue().toString()).doesNotContain("secret");
        assertThat(c.green()).isEqualTo(new EndpointConfig("jdbc:postgresql://green:5433/app2", "bg2", "literal"));
        assertThat(c.green().host()).isEqualTo("green");
        assertThat(c.green().port()).isEqualTo(5433);
        assertThat(c.green().database()).isEqualTo("app2");
        assertThat(c.kafka()).isEqualTo(new KafkaConfig("k1:9092,k2:9092", 6, Map.of("security.protocol", "SSL")));
        assertThat(c.capture()).isEqualTo(new CaptureConfig(Duration.ofMillis(50), Duration.ofMillis(250), "never", 512));
        assertThat(c.sink()).isEqualTo(new SinkConfig(700, 0, Duration.ofMillis(40)));
        assertThat(c.backfill()).isEqualTo(new BackfillConfig(4, 10_000, 50_000, "rows", "build-after"));
        assertThat(c.backfill().buildIndexesAfter()).isTrue();
        TableMapping t = c.tables().get(0);
        assertThat(t.key()).containsExactly("order_no");
        assertThat(t.filter()).isEqualTo("status != 'draft'");
        assertThat(t.columns()).extracting(ColumnMapping::blueColumn).containsExactly("id", "amount", "placed", "customer", "name");
        assertThat(t.columns().get(0).drop()).isTrue();
        assertThat(t.columns().get(1).cast()).isEqualTo("minor-units");
        assertThat(t.columns().get(1).castOptions()).isEqualTo(Map.of("scale", "2"));
        assertThat(t.columns().get(1).greenColumn()).isEqualTo("amount_cents");
        assertThat(t.columns().get(2).castOptions()).isEqualTo(Map.of("zone", "Europe/Paris"));
        assertThat(t.columns().get(3).greenColumn()).isEqualTo("buyer");
        assertThat(t.columns().get(4).splitInto()).containsExactly("first", "last");
        assertThat(t.columns().get(4).splitSeparator()).isEqualTo(" ");
        assertThat(t.added()).extracting(AddedColumn::greenColumn).containsExactly("origin", "total", "label");
        assertThat(t.added().get(0).value()).isEqualTo("legacy");
        assertThat(t.added().get(1).expr()).isEqualTo("amount * 2");
        assertThat(t.added().get(2).merge()).containsExactly("a", "b");
        assertThat(t.added().get(2).separator()).isEqualTo("-");
        assertThat(t.targets()).extracting(TargetTable::table)
                .containsExactly(new TableId("shop", "orders"), new TableId("shop", "order_names"));
        assertThat(t.targets().get(1).columns()).containsExactly("first", "last");
        assertThat(t.columns().get(1).location().path()).isEqualTo("tables[0].columns.amount");
        assertThat(t.columns().get(1).location().line()).isEqualTo(38);
    }

    @Test
    void invalidYamlNamesTheLine() {
        assertThatThrownBy(() -> parse("pipeline:\n  name: x\n blue: [\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pipeline.yaml:")
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void everyProblemIsReportedAtOnceWithFileLineAndPath() {
        ConfigException e = problems(MINIMAL.replace("name: shop", "name: Shop")
                .replace("user: bg\ngreen", "usr: bg\ngreen")
                + "    columns:\n      total: { cast: money }\nsink:\n  batch-size-rows: 0\n"
                + "backfill:\n  path: fast\n  parallelism: 0\n");
        assertThat(e.problems()).extracting(ConfigException.Problem::path).contains(
                "pipeline.name", "blue.usr", "blue", "tables[0].columns.total.cast", "sink.batch-size-rows",
                "backfill.path", "backfill.parallelism");
        assertThat(e.getMessage()).contains("pipeline.yaml:2: pipeline.name")
                .contains("unknown key 'usr' (did you mean 'user'?)")
                .contains("missing required key 'user'")
                .contains("unknown cast 'money'")
                .contains("out of range");
    }

    @Test
    void unsetEnvironmentVariableIsAnError() {
        assertThatThrownBy(() -> parse(MINIMAL.replace("user: bg\ngreen", "user: bg\n  password: ${NOPE}\ngreen")))
                .hasMessageContaining("blue.password: environment variable NOPE is not set");
    }

    @Test
    void crossFieldRules() {
        assertThat(problems(MINIMAL.replace("    green: shop.orders\n", "")).getMessage())
                .contains("missing 'green'");
        assertThat(problems(MINIMAL + "    targets:\n      - table: a.b\n        columns: [x]\n"
                + "      - table: a.c\n        columns: [y]\n").getMessage())
                .contains("either 'green'");
        assertThat(problems(MINIMAL + "    add:\n      x: { expr: \"1\", value: 2 }\n").getMessage())
                .contains("exactly one of 'expr'");
        assertThat(problems(MINIMAL + "    columns:\n      n: { split: { into: [a], separator: ' ' } }\n").getMessage())
                .contains("at least two green columns");
        assertThat(problems(MINIMAL.replace("tables:\n  - blue: public.orders\n    green: shop.orders\n", "tables: []\n"))
                .getMessage()).contains("non-empty list");
        assertThat(problems(MINIMAL + "capture:\n  snapshot: sometimes\n").getMessage())
                .contains("unknown snapshot mode 'sometimes'");
        assertThat(problems(MINIMAL.replace("jdbc:postgresql://127.0.0.1:5999/app", "jdbc:mysql://x/y")).getMessage())
                .contains("write 'jdbc:mariadb://host:port/database'");
        assertThat(problems(MINIMAL.replace("jdbc:postgresql://127.0.0.1:5999/app", "jdbc:oracle:thin:@x")).getMessage())
                .contains("only PostgreSQL and MariaDB are supported for blue");
        assertThat(problems(MINIMAL.replace("jdbc:postgresql://127.0.0.1:6000/app", "jdbc:mariadb://x/y")).getMessage())
                .contains("green must be PostgreSQL");
        assertThat(problems(MINIMAL + "    targets:\n      - table: a.b\n        columns: [x]\n").getMessage())
                .contains("either 'green'");
        assertThat(List.of(problems("").getMessage())).isNotEmpty();
    }

    @Test
    void topicNamesReplaceWhatKafkaRefusesAndTwoTablesMayNotShareOne() {
        PipelineConfig c = parse(MINIMAL.replace("blue: public.orders", "blue: public.Order Lines"));
        assertThat(c.topic(new TableId("public", "Order Lines"))).isEqualTo("bluegreen.shop.public.Order_Lines");
        assertThat(c.topic(new TableId("public", "ünï$"))).isEqualTo("bluegreen.shop.public._n__");
        assertThat(c.tableTopics()).containsExactly("bluegreen.shop.public.Order_Lines");
        String clash = MINIMAL + "  - blue: public.order lines\n    green: shop.b\n  - blue: public.order_lines\n    green: shop.c\n";
        assertThat(problems(clash).getMessage()).contains("public.order lines").contains("public.order_lines")
                .contains("'bluegreen.shop.public.order_lines'").contains("two pipelines");
        assertThat(TopicNames.sanitized("x".repeat(300))).hasSize(249);
        assertThat(TopicNames.sanitized(".")).isEqualTo("_");
    }
}
