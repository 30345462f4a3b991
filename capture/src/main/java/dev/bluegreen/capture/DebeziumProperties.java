package dev.bluegreen.capture;

import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.event.TableId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Derives the Debezium connector's properties (PostgreSQL, or MariaDB for a MariaDB blue) from the
 * pipeline config. Every value
 * that the decoder or the sink relies on is fixed here, never left to Debezium's defaults:
 * {@code decimal.handling.mode=string} (exact decimals), {@code binary.handling.mode=bytes},
 * {@code time.precision.mode=adaptive_time_microseconds}, {@code skipped.operations=none}
 * (truncates are captured), {@code slot.drop.on.stop=false} (the slot keeps our position across
 * restarts) and {@code publication.autocreate.mode=disabled} ({@link BlueSetup} owns the
 * publication). {@code poll.interval.ms} defaults to 10 ms: Debezium's 500 ms dominates lag. Table
 * include lists name {@code schema.table} on PostgreSQL and {@code database.table} on MariaDB, both
 * the {@link TableId}'s text.
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
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        p.setProperty("offset.storage.file.filename", captureDir.resolve(CaptureOffsets.FILE).toString());
        p.setProperty("offset.flush.interval.ms", "250");
        p.setProperty("database.hostname", config.blue().host());
        p.setProperty("database.port", Integer.toString(config.blue().port()));
        p.setProperty("database.user", config.blue().user());
        p.setProperty("database.password", config.blue().password());
        p.setProperty("topic.prefix", config.topicPrefix());
        p.setProperty("table.include.list", includeList(config));
        if (Engine.of(config.blue()) == Engine.MARIADB) {
            mariaDb(p, config);
        } else {
            postgres(p, config);
        }
        p.setProperty("decimal.handling.mode", "string");
        p.setProperty("binary.handling.mode", "bytes");
        p.setProperty("time.precision.mode", "adaptive_time_microseconds");
        p.setProperty("skipped.operations", "none");
        p.setProperty("tombstones.on.delete", "true");
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
        // a NULL written into a nullable column that has a DEFAULT must stay NULL: by default
        // JsonConverter writes the column's default in its place (KAFKA-8713; the option is KIP-581's)
        p.setProperty("converter.replace.null.with.default", "false");
        p.setProperty("key.converter.replace.null.with.default", "false");
        p.setProperty("value.converter.replace.null.with.default", "false");
        String keys = messageKeyColumns(keyColumns);
        if (!keys.isEmpty()) {
            p.setProperty("message.key.columns", keys);
        }
        return p;
    }

    private static void postgres(Properties p, PipelineConfig config) {
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("database.dbname", config.blue().database());
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", config.slotName());
        p.setProperty("slot.drop.on.stop", "false");
        p.setProperty("publication.name", config.publicationName());
        p.setProperty("publication.autocreate.mode", "disabled");
        // copy: bluegreen copied the rows at the slot's consistent point; Debezium streams from that slot
        p.setProperty("snapshot.mode", "initial".equals(config.capture().snapshot()) ? "initial" : "no_data");
        p.setProperty("interval.handling.mode", "string");
        p.setProperty("include.unknown.datatypes", "false");
    }

    /**
     * MariaDB: the binlog connector, with its schema history in a file beside the offsets. With
     * {@code capture.snapshot: copy} bluegreen stores the copy's binlog position as Debezium's offset
     * ({@link CaptureOffsets#writeBinlogStart}); the first start then runs in {@code recovery} mode, which
     * records the tables' current definitions as the schema history and streams from that stored position,
     * every later start in {@code no_data} mode (Debezium 3.5 {@code RecoverySnapshotter}).
     */
    private static void mariaDb(Properties p, PipelineConfig config) {
        p.setProperty("connector.class", "io.debezium.connector.mariadb.MariaDbConnector");
        p.setProperty("database.server.id", Long.toString(serverId(config)));
        java.util.Set<String> databases = new java.util.LinkedHashSet<>();
        config.tables().forEach(m -> databases.add(m.blue().schema()));
        databases.add(BlueSetup.HEARTBEAT.schema());
        p.setProperty("database.include.list", String.join(",", databases.stream().map(Pattern::quote).toList()));
        Path history = SchemaHistoryFiles.history(config);
        p.setProperty("schema.history.internal", "io.debezium.storage.file.history.FileSchemaHistory");
        p.setProperty("schema.history.internal.file.filename", history.toString());
        p.setProperty("schema.history.internal.store.only.captured.tables.ddl", "true");
        p.setProperty("include.schema.changes", "false");
        String mode;
        if ("initial".equals(config.capture().snapshot())) {
            mode = "initial";
        } else if (!java.nio.file.Files.exists(history) && CaptureOffsets.read(config) == CaptureOffsets.State.STREAMING) {
            mode = "recovery";
        } else {
            mode = "no_data";
        }
        p.setProperty("snapshot.mode", mode);
        if (!mode.equals("initial")) {
            // the schema-only snapshot takes no lock: its default (a global read lock, else table locks) needs
            // RELOAD, which bluegreen's own copy can do without; DDL on blue while a pipeline starts is not
            // supported anyway (the catalog read at start fixes every column's kind)
            p.setProperty("snapshot.locking.mode", "none");
        }
        // a bigint unsigned column is rejected by validation; ints wider than their signed type fit a long
        p.setProperty("bigint.unsigned.handling.mode", "long");
        p.setProperty("connect.timeout.ms", "10000");
        // the binlog connectors run heartbeat.action.query only when a binlog event arrives; on an idle blue the
        // only events are the server's heartbeats, which Debezium asks for every 0.8 x the keep-alive interval
        // (default 60 s: an idle pipeline's lag and drain went stale for 48 s). The keep-alive also reconnects
        // when nothing arrived for one interval, so it keeps a margin over the heartbeats: at least 3 s.
        p.setProperty("connect.keep.alive.interval.ms", Long.toString(keepAliveMs(config)));
    }

    /**
     * The binlog client's keep-alive interval (ms) for a MariaDB blue: 5 x the heartbeat interval, at least
     * 3,000; MariaDB then sends a server heartbeat every 0.8 x that (Debezium 3.5
     * {@code BinlogStreamingChangeEventSource}), which is when Debezium's heartbeat query runs on an idle blue.
     */
    public static long keepAliveMs(PipelineConfig config) {
        return Math.max(3_000L, 5 * config.capture().heartbeatInterval().toMillis());
    }

    /** The schema history file's name in the capture folder (MariaDB blue only). */
    public static final String SCHEMA_HISTORY_FILE = "schema-history.dat";

    /**
     * The replication client id Debezium registers with a MariaDB blue: unique per pipeline name, in
     * 1,000,000-1,999,999 so it does not collide with the small ids servers usually get. Two pipelines on one
     * blue with ids that collide would cut each other off; rename one if that happens.
     */
    public static long serverId(PipelineConfig config) {
        return 1_000_000L + Math.floorMod(config.name().hashCode(), 1_000_000);
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
