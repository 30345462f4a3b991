package dev.bluegreen.capture;

import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.event.TableId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Derives the Debezium PostgreSQL connector's properties from the pipeline config. Every value
 * that the decoder or the sink relies on is fixed here, never left to Debezium's defaults:
 * {@code decimal.handling.mode=string} (exact decimals), {@code binary.handling.mode=bytes},
 * {@code time.precision.mode=adaptive_time_microseconds}, {@code skipped.operations=none}
 * (truncates are captured), {@code slot.drop.on.stop=false} (the slot keeps our position across
 * restarts) and {@code publication.autocreate.mode=disabled} ({@link BlueSetup} owns the
 * publication). {@code poll.interval.ms} defaults to 10 ms: Debezium's 500 ms dominates lag.
 */
public final class DebeziumProperties {

    private DebeziumProperties() {
    }

    /**
     * Builds the properties.
     *
     * @param keyColumns per blue table, the key columns when they differ from the primary key
     *     (declared keys); becomes {@code message.key.columns}
     */
    public static Properties of(PipelineConfig config, java.util.Map<TableId, List<String>> keyColumns) {
        Properties p = new Properties();
        Path captureDir = config.workDir().resolve("capture");
        p.setProperty("name", "bluegreen-" + config.name());
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        p.setProperty("offset.storage.file.filename", captureDir.resolve("offsets.dat").toString());
        p.setProperty("offset.flush.interval.ms", "250");
        p.setProperty("database.hostname", config.blue().host());
        p.setProperty("database.port", Integer.toString(config.blue().port()));
        p.setProperty("database.user", config.blue().user());
        p.setProperty("database.password", config.blue().password());
        p.setProperty("database.dbname", config.blue().database());
        p.setProperty("topic.prefix", config.topicPrefix());
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", config.slotName());
        p.setProperty("slot.drop.on.stop", "false");
        p.setProperty("publication.name", config.publicationName());
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("table.include.list", includeList(config));
        // copy: bluegreen copied the rows at the slot's consistent point; Debezium streams from that slot
        p.setProperty("snapshot.mode", "initial".equals(config.capture().snapshot()) ? "initial" : "no_data");
        p.setProperty("decimal.handling.mode", "string");
        p.setProperty("binary.handling.mode", "bytes");
        p.setProperty("time.precision.mode", "adaptive_time_microseconds");
        p.setProperty("interval.handling.mode", "string");
        p.setProperty("skipped.operations", "none");
        p.setProperty("tombstones.on.delete", "true");
        p.setProperty("include.unknown.datatypes", "false");
        p.setProperty("poll.interval.ms", Long.toString(config.capture().pollInterval().toMillis()));
        p.setProperty("max.batch.size", Integer.toString(config.capture().maxBatchSize()));
        p.setProperty("max.queue.size", Integer.toString(config.capture().maxBatchSize() * 4));
        p.setProperty("snapshot.fetch.size", "10240");
        p.setProperty("heartbeat.interval.ms", Long.toString(config.capture().heartbeatInterval().toMillis()));
        p.setProperty("heartbeat.action.query", BlueSetup.heartbeatQuery(config));
        // envelopes without Connect schemas: the sink types every field from blue's catalog; with
        // schemas each record carried its 2-3 kB schema, and JSON work dominated the CPU profile
        p.setProperty("converter.schemas.enable", "false");
        p.setProperty("key.converter.schemas.enable", "false");
        p.setProperty("value.converter.schemas.enable", "false");
        String keys = messageKeyColumns(keyColumns);
        if (!keys.isEmpty()) {
            p.setProperty("message.key.columns", keys);
        }
        return p;
    }

    /** Debezium's topic for a blue table: {@code <prefix>.<schema>.<table>}. */
    public static String topic(PipelineConfig config, TableId table) {
        return config.topic(table);
    }

    /** Every topic the capture writes change events to (mapped tables plus the heartbeat table). */
    public static List<String> topics(PipelineConfig config) {
        List<String> topics = new ArrayList<>();
        for (TableMapping m : config.tables()) {
            topics.add(topic(config, m.blue()));
        }
        topics.add(topic(config, BlueSetup.HEARTBEAT));
        return topics;
    }

    /** Every change-event topic with the blue table it carries ({@code schema.table}). */
    public static java.util.Map<String, String> tableByTopic(PipelineConfig config) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (TableMapping m : config.tables()) {
            out.put(topic(config, m.blue()), m.blue().toString());
        }
        out.put(topic(config, BlueSetup.HEARTBEAT), BlueSetup.HEARTBEAT.toString());
        return out;
    }

    private static String includeList(PipelineConfig config) {
        List<String> patterns = new ArrayList<>();
        for (TableMapping m : config.tables()) {
            patterns.add(Pattern.quote(m.blue().toString()));
        }
        patterns.add(Pattern.quote(BlueSetup.HEARTBEAT.toString()));
        return String.join(",", patterns);
    }

    private static String messageKeyColumns(java.util.Map<TableId, List<String>> keyColumns) {
        List<String> parts = new ArrayList<>();
        keyColumns.forEach((table, cols) -> parts.add(table + ":" + String.join(",", cols)));
        return String.join(";", parts);
    }
}
