package dev.bluegreen.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.config.PipelineConfigLoader;
import dev.bluegreen.core.position.BinlogPosition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A MariaDB blue's capture settings, and the binlog start position stored for Debezium: written through
 * Kafka Connect's offset store, read back by {@link CaptureOffsets}, and deciding Debezium's snapshot mode.
 */
class MariaDbCaptureSettingsTest {

    @TempDir
    Path dir;

    private PipelineConfig config(String snapshot) {
        String yaml = """
                pipeline:
                  name: shop
                  work-dir: work
                blue:
                  jdbc-url: jdbc:mariadb://127.0.0.1:3310/shop
                  user: root
                green:
                  jdbc-url: jdbc:postgresql://127.0.0.1:6000/app
                  user: bg
                capture:
                  snapshot: %s
                  heartbeat-interval-ms: 100
                tables:
                  - blue: shop.orders
                    green: app.orders
                  - blue: crm.customer
                    green: app.customer
                """.formatted(snapshot);
        return new PipelineConfigLoader(Map.<String, String>of()::get).parse(yaml, "pipeline.yaml", dir);
    }

    @Test
    void mariaDbPropertiesNameTheConnectorDatabasesAndHistory() {
        PipelineConfig c = config("copy");
        Properties p = DebeziumProperties.of(c, Map.of());
        assertThat(p.getProperty("connector.class")).isEqualTo("io.debezium.connector.mariadb.MariaDbConnector");
        assertThat(p.getProperty("database.include.list")).isEqualTo("\\Qshop\\E,\\Qcrm\\E,\\Qbluegreen\\E");
        assertThat(p.getProperty("table.include.list"))
                .isEqualTo("\\Qshop.orders\\E,\\Qcrm.customer\\E,\\Qbluegreen.heartbeat\\E");
        assertThat(p.getProperty("schema.history.internal.file.filename"))
                .isEqualTo(dir.resolve("work/capture/schema-history.dat").toString());
        assertThat(p.getProperty("heartbeat.action.query")).contains("CURRENT_TIMESTAMP(6)");
        assertThat(Long.parseLong(p.getProperty("database.server.id"))).isBetween(1_000_000L, 1_999_999L);
        assertThat(p.getProperty("connect.keep.alive.interval.ms")).isEqualTo("3000");
        assertThat(p.getProperty("slot.name")).isNull();
        assertThat(p.getProperty("snapshot.mode")).as("no stored position yet").isEqualTo("no_data");
        assertThat(p.getProperty("snapshot.locking.mode")).isEqualTo("none");
        assertThat(config("initial").blue().jdbcUrl()).startsWith("jdbc:mariadb:");
        assertThat(DebeziumProperties.of(config("initial"), Map.of()).getProperty("snapshot.mode")).isEqualTo("initial");
    }

    @Test
    void storedBinlogStartIsReadBackAndRecoversTheSchemaHistoryOnce() throws Exception {
        PipelineConfig c = config("copy");
        assertThat(CaptureOffsets.read(c)).isEqualTo(CaptureOffsets.State.NONE);
        CaptureOffsets.writeBinlogStart(c, new BinlogPosition("binlog.000003", 4711, "0-1-42"));
        assertThat(CaptureOffsets.read(c)).isEqualTo(CaptureOffsets.State.STREAMING);
        assertThat(DebeziumProperties.of(c, Map.of()).getProperty("snapshot.mode"))
                .as("a stored position and no schema history: Debezium records the current schema, streams from there")
                .isEqualTo("recovery");
        Files.writeString(dir.resolve("work/capture/schema-history.dat"), "{}\n");
        assertThat(DebeziumProperties.of(c, Map.of()).getProperty("snapshot.mode")).isEqualTo("no_data");
        // a second write replaces the first
        CaptureOffsets.writeBinlogStart(c, new BinlogPosition("binlog.000004", 4, ""));
        assertThat(CaptureOffsets.read(c)).isEqualTo(CaptureOffsets.State.STREAMING);
        assertThat(new String(Files.readAllBytes(dir.resolve("work/capture/offsets.dat")), java.nio.charset.StandardCharsets.ISO_8859_1))
                .contains("binlog.000004").doesNotContain("binlog.000003").contains("\"server\":\"bluegreen.shop\"");
    }

    /**
     * A history Debezium was still writing when the process died (no mark) is discarded before the next start,
     * which then records the schema again (recovery) from the stored position; a marked one is kept.
     */
    @Test
    void cutShortSchemaHistoryIsDiscardedAndRecordedAgain() throws Exception {
        PipelineConfig c = config("copy");
        CaptureOffsets.writeBinlogStart(c, new BinlogPosition("binlog.000003", 4711, "0-1-42"));
        Path history = SchemaHistoryFiles.history(c);
        Files.writeString(history, "{\"ddl\":\"CREATE DATABASE shop\"}\n"); // killed before the tables' DDL
        assertThat(SchemaHistoryFiles.discardIfCutShort(c)).isTrue();
        assertThat(history).doesNotExist();
        assertThat(DebeziumProperties.of(c, Map.of()).getProperty("snapshot.mode")).isEqualTo("recovery");

        Files.writeString(history, "{}\n");
        SchemaHistoryFiles.markComplete(history);
        assertThat(SchemaHistoryFiles.discardIfCutShort(c)).as("whole: kept").isFalse();
        assertThat(history).exists();
        assertThat(DebeziumProperties.of(c, Map.of()).getProperty("snapshot.mode")).isEqualTo("no_data");

        SchemaHistoryFiles.discard(c);
        assertThat(history).doesNotExist();
        assertThat(history.resolveSibling(SchemaHistoryFiles.COMPLETE_FILE)).doesNotExist();

        PipelineConfig initial = config("initial");
        Files.writeString(SchemaHistoryFiles.history(initial), "{}\n");
        assertThat(SchemaHistoryFiles.discardIfCutShort(initial)).as("Debezium's own snapshot owns it").isFalse();
    }
}
