package dev.bluegreen.bench.anchor;

import dev.bluegreen.testkit.LocalPostgres;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** The two connector configs {@link ConnectJdbcSink} creates through the worker's REST API. */
final class ConnectorConfigs {

    private ConnectorConfigs() {
    }

    /**
     * Debezium's PostgreSQL source: pgoutput, its own slot and publication ({@code prefix}), the config's
     * tables only, topics {@code prefix.schema.table}.
     */
    static Map<String, String> source(ConnectJdbcSinkConfig config, String prefix, LocalPostgres blue, String db) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        c.put("tasks.max", "1");
        c.put("plugin.name", "pgoutput");
        c.put("database.hostname", "127.0.0.1");
        c.put("database.port", Integer.toString(blue.port()));
        c.put("database.user", LocalPostgres.SUPERUSER);
        c.put("database.password", "");
        c.put("database.dbname", db);
        c.put("topic.prefix", prefix);
        c.put("slot.name", prefix);
        c.put("publication.name", prefix);
        c.put("publication.autocreate.mode", "filtered");
        c.put("table.include.list", String.join(",", config.tables()));
        c.put("snapshot.mode", config.mode().snapshotMode());
        // Connect Decimal (bytes + scale in the schema), which the JDBC sink binds as numeric again
        c.put("decimal.handling.mode", "precise");
        // Debezium's defaults (2,048 / 8,192) keep the snapshot's producer batches small; the sink side
        // polls up to sinkBatchSizeRows, so let the source hand over as much
        c.put("max.batch.size", Integer.toString(Math.max(2_048, config.sinkBatchSizeRows())));
        c.put("max.queue.size", Integer.toString(4 * Math.max(2_048, config.sinkBatchSizeRows())));
        // A change event with its JSON schema is ~3 KB, so the producer's default 16 KiB batch carries ~5
        // of them: the snapshot then waits on produce round trips (smoke: topic full after 27 s at the
        // default, 9-14 s at 256 KiB). 256 KiB stays under G1's humongous-object size for this heap; the
        // linger stays Kafka's default (5 ms), which streaming latency pays.
        c.put("producer.override.batch.size", Integer.toString(256 * 1024));
        return c;
    }

    /**
     * Debezium's JDBC sink: upserts by the record key, deletes on, no schema evolution, each topic to the
     * green table of the source's schema and name.
     */
    static Map<String, String> sink(ConnectJdbcSinkConfig config, String prefix, LocalPostgres green, String db) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector");
        c.put("tasks.max", "1");
        c.put("topics", config.tables().stream().map(t -> prefix + "." + t).collect(Collectors.joining(",")));
        c.put("connection.url", green.jdbcUrl(db));
        c.put("connection.username", LocalPostgres.SUPERUSER);
        c.put("connection.password", "");
        c.put("insert.mode", "upsert");
        c.put("delete.enabled", "true");
        c.put("primary.key.mode", "record_key");
        c.put("schema.evolution", "none");
        c.put("collection.name.format", "${source.schema}.${source.table}");
        c.put("batch.size", Integer.toString(config.sinkBatchSizeRows()));
        c.put("consumer.override.max.poll.records", Integer.toString(config.sinkBatchSizeRows()));
        c.put("dialect.postgres.unnest.insert.enabled", Boolean.toString(config.unnestInsert()));
        // one unnest upsert per batch fails on a batch holding one key twice ("ON CONFLICT DO UPDATE command
        // cannot affect row a second time", seen in the streaming smoke): the reduction buffer keeps only
        // each key's last change in a batch, which is what makes that writer correct for streaming
        c.put("use.reduction.buffer", Boolean.toString(config.unnestInsert()));
        return c;
    }
}
