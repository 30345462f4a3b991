package dev.bluegreen.core.config;

import dev.bluegreen.core.dialect.Engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bluegreen.core.event.TableId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds the YAML tree to {@link PipelineConfig}, recording every problem in the reader. The keys
 * and defaults here are the config reference in the README; keep the two in step.
 * Package-private; not thread-safe.
 */
final class PipelineConfigBinder {

    static final int DEFAULT_PARTITIONS = 1;
    static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(10);
    static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMillis(1000);
    static final int DEFAULT_MAX_BATCH_SIZE = 2048;
    static final int DEFAULT_BATCH_SIZE_ROWS = 2000;
    static final long DEFAULT_DEAD_LETTER_BUDGET_ROWS = 100;
    static final Duration DEFAULT_SINK_POLL_TIMEOUT = Duration.ofMillis(200);
    static final Set<String> CASTS = Set.of(
            "bigint", "integer", "smallint", "minor-units", "boolean", "varchar", "timestamptz");

    private final ConfigReader reader;
    private final Path baseDir;

    PipelineConfigBinder(ConfigReader reader, Path baseDir) {
        this.reader = reader;
        this.baseDir = baseDir;
    }

    PipelineConfig bind(JsonNode rootJson) {
        ConfigNode root = new ConfigNode(rootJson, "", "", reader);
        if (!root.expectObject()) {
            return null;
        }
        root.allowOnly(Set.of("pipeline", "blue", "green", "kafka", "capture", "sink", "tables", "cutover",
                "backfill"));
        ConfigNode pipeline = root.child("pipeline");
        if (!pipeline.present()) {
            root.problem("missing required section 'pipeline' (with 'name')");
        }
        pipeline.expectObject();
        pipeline.allowOnly(Set.of("name", "work-dir"));
        String name = pipeline.string("name", null, pipeline.present());
        if (name != null && !PipelineConfig.NAME.matcher(name).matches()) {
            pipeline.child("name").problem("pipeline name '" + name + "' must be lower-case letters, digits and"
                    + " '_', starting with a letter, at most 40 characters (it names the replication slot)");
            name = null;
        }
        String workDir = pipeline.string("work-dir", ".bluegreen/" + (name == null ? "pipeline" : name), false);
        EndpointConfig blue = endpoint(root.child("blue"), "blue");
        EndpointConfig green = endpoint(root.child("green"), "green");
        KafkaConfig kafka = kafka(root.child("kafka"));
        CaptureConfig capture = capture(root.child("capture"));
        SinkConfig sink = sink(root.child("sink"));
        List<TableMapping> tables = tables(root.child("tables"), name == null ? "pipeline" : name);
        CutoverConfig cutover = root.child("cutover").present() ? cutover(root.child("cutover")) : null;
        BackfillConfig backfill = backfill(root.child("backfill"),
                blue == null ? null : Engine.ofUrl(blue.jdbcUrl()));
        if (!reader.problems().isEmpty() || name == null) {
            return null;
        }
        Path work = baseDir == null ? Path.of(workDir) : baseDir.resolve(workDir).normalize();
        Path source = reader.file() == null ? null : Path.of(reader.file());
        return new PipelineConfig(source, name, work, blue, green, kafka, capture, sink, tables, cutover, backfill);
    }

    private EndpointConfig endpoint(ConfigNode n, String which) {
        if (!n.present()) {
            n.problem("missing required section '" + which + "' (jdbc-url, user, password)");
            return null;
        }
        if (!n.expectObject()) {
            return null;
        }
        n.allowOnly(Set.of("jdbc-url", "user", "password"));
        String url = n.string("jdbc-url", null, true);
        if (url != null && which.equals("green") && !url.startsWith("jdbc:postgresql://")) {
            n.child("jdbc-url").problem("green must be PostgreSQL so far: the URL must start with"
                    + " 'jdbc:postgresql://host:port/database'");
        } else if (url != null && Engine.ofUrl(url) == null) {
            n.child("jdbc-url").problem((url.startsWith("jdbc:mysql:")
                    ? "MySQL is reached through MariaDB Connector/J: write 'jdbc:mariadb://host:port/database'"
                    : "only PostgreSQL and MariaDB are supported for blue so far")
                    + ": the URL must start with 'jdbc:postgresql://' or 'jdbc:mariadb://'");
        }
        String user = n.string("user", null, true);
        String password = n.string("password", "", false);
        return url == null || user == null ? null : new EndpointConfig(url, user, password);
    }

    private KafkaConfig kafka(ConfigNode n) {
        if (!n.present()) {
            return new KafkaConfig(KafkaConfig.EMBEDDED, DEFAULT_PARTITIONS, Map.of());
        }
        n.expectObject();
        n.allowOnly(Set.of("bootstrap", "partitions", "properties"));
        String bootstrap = n.string("bootstrap", KafkaConfig.EMBEDDED, false);
        int partitions = (int) n.integer("partitions", DEFAULT_PARTITIONS, 1, 1024);
        Map<String, String> props = new HashMap<>();
        ConfigNode p = n.child("properties");
        if (p.expectObject()) {
            for (String key : p.keys()) {
                props.put(key, p.string(key, "", false));
            }
        }
        return new KafkaConfig(bootstrap, partitions, props);
    }

    private CaptureConfig capture(ConfigNode n) {
        n.expectObject();
        n.allowOnly(Set.of("poll-interval-ms", "heartbeat-interval-ms", "snapshot", "max-batch-size"));
        Duration poll = n.millis("poll-interval-ms", DEFAULT_POLL_INTERVAL, 1, 60_000);
        Duration heartbeat = n.millis("heartbeat-interval-ms", DEFAULT_HEARTBEAT_INTERVAL, 10, 3_600_000);
        String snapshot = n.string("snapshot", "copy", false);
        if (!Set.of("copy", "initial", "never").contains(snapshot)) {
            n.child("snapshot").problem("unknown snapshot mode '" + snapshot + "'; use 'copy' (bluegreen copies"
                    + " the rows itself, the default), 'initial' (Debezium's snapshot through Kafka) or 'never'");
        }
        int maxBatch = (int) n.integer("max-batch-size", DEFAULT_MAX_BATCH_SIZE, 1, 1_000_000);
        return new CaptureConfig(poll, heartbeat, snapshot, maxBatch);
    }

    private BackfillConfig backfill(ConfigNode n, Engine blueEngine) {
        n.expectObject();
        n.allowOnly(Set.of("parallelism", "chunk-rows", "max-rows-per-second", "path", "indexes"));
        BackfillConfig d = BackfillConfig.DEFAULTS;
        int parallelism = (int) n.integer("parallelism", blueEngine == Engine.MARIADB
                ? BackfillConfig.mariaDbDefaultParallelism() : d.parallelism(), 1, 64);
        long chunkRows = n.integer("chunk-rows", d.chunkRows(), 100, 100_000_000);
        long rate = n.integer("max-rows-per-second", d.maxRowsPerSecond(), 0, Long.MAX_VALUE);
        String path = n.string("path", d.path(), false);
        if (!Set.of("auto", "rows").contains(path)) {
            n.child("path").problem("unknown backfill path '" + path + "'; use 'auto' (pipe unchanged rows when the"
                    + " mapping only renames or drops columns) or 'rows' (always run the mapping per row)");
            path = d.path();
        }
        String indexes = n.string("indexes", d.indexes(), false);
        if (!Set.of("keep", "build-after").contains(indexes)) {
            n.child("indexes").problem("unknown indexes setting '" + indexes + "'; use 'keep' or 'build-after'"
                    + " (drop green's secondary indexes for the copy and build them after it)");
            indexes = d.indexes();
        }
        return new BackfillConfig(parallelism, chunkRows, rate, path, indexes);
    }

    private SinkConfig sink(ConfigNode n) {
        n.expectObject();
        n.allowOnly(Set.of("batch-size-rows", "dead-letter-budget-rows", "poll-timeout-ms"));
        int batch = (int) n.integer("batch-size-rows", DEFAULT_BATCH_SIZE_ROWS, 1, 1_000_000);
        long budget = n.integer("dead-letter-budget-rows", DEFAULT_DEAD_LETTER_BUDGET_ROWS, 0, Long.MAX_VALUE);
        Duration pollTimeout = n.millis("poll-timeout-ms", DEFAULT_SINK_POLL_TIMEOUT, 1, 60_000);
        return new SinkConfig(batch, budget, pollTimeout);
    }

    private CutoverConfig cutover(ConfigNode n) {
        if (!n.expectObject()) {
            return null;
        }
        n.allowOnly(Set.of("application-role", "freeze", "max-freeze-ms", "drain-timeout-ms", "lock-timeout-ms",
                "max-lag-ms", "parity-max-age-minutes", "final-check-budget-ms", "sequence-gap", "router"));
        String role = n.string("application-role", null, true);
        String freezeName = n.string("freeze", CutoverConfig.Freeze.LOCK.configName(), false);
        CutoverConfig.Freeze freeze = null;
        for (CutoverConfig.Freeze f : CutoverConfig.Freeze.values()) {
            if (f.configName().equals(freezeName)) {
                freeze = f;
            }
        }
        if (freeze == null) {
            n.child("freeze").problem("unknown freeze strategy '" + freezeName + "'; use 'lock' (the coordinator's"
                    + " session locks the captured tables) or 'router-pause' (the router pauses, then the same locks)");
        }
        Duration maxFreeze = n.millis("max-freeze-ms", CutoverConfig.DEFAULT_MAX_FREEZE, 10, 600_000);
        Duration drain = n.millis("drain-timeout-ms", CutoverConfig.DEFAULT_DRAIN_TIMEOUT, 1, 600_000);
        Duration lock = n.millis("lock-timeout-ms", CutoverConfig.DEFAULT_LOCK_TIMEOUT, 1, 600_000);
        Duration maxLag = n.millis("max-lag-ms", CutoverConfig.DEFAULT_MAX_LAG, 1, 86_400_000);
        long ageMinutes = n.integer("parity-max-age-minutes", CutoverConfig.DEFAULT_PARITY_MAX_AGE.toMinutes(), 1,
                525_600);
        Duration budget = n.millis("final-check-budget-ms", CutoverConfig.DEFAULT_FINAL_CHECK_BUDGET, 1, 3_600_000);
        long gap = n.integer("sequence-gap", CutoverConfig.DEFAULT_SEQUENCE_GAP, 0, Long.MAX_VALUE / 4);
        CutoverConfig.Router router = router(n.child("router"));
        if (role == null || freeze == null || router == null) {
            return null;
        }
        return new CutoverConfig(role, freeze, maxFreeze, drain, lock, maxLag, Duration.ofMinutes(ageMinutes), budget,
                gap, router);
    }

    private CutoverConfig.Router router(ConfigNode n) {
        if (!n.present()) {
            n.problem("missing required section 'cutover.router' (type: pgbouncer, datasource or command)");
            return null;
        }
        if (!n.expectObject()) {
            return null;
        }
        String type = n.string("type", null, true);
        if (type == null) {
            return null;
        }
        switch (type) {
            case "pgbouncer" -> {
                n.allowOnly(Set.of("type", "admin-host", "admin-port", "admin-user", "admin-password", "database",
                        "config-file", "psql"));
                String host = n.string("admin-host", "127.0.0.1", false);
                long port = n.integer("admin-port", 6432, 1, 65_535);
                String user = n.string("admin-user", null, true);
                String password = n.string("admin-password", "", false);
                String db = n.string("database", null, true);
                String file = n.string("config-file", null, true);
                String psql = n.string("psql", "psql", false);
                if (user == null || db == null || file == null) {
                    return null;
                }
                Path path = baseDir == null ? Path.of(file) : baseDir.resolve(file).normalize();
                return new CutoverConfig.PgBouncer(host, (int) port, user, password, db, path, psql);
            }
            case "datasource" -> {
                n.allowOnly(Set.of("type", "lease-ms"));
                return new CutoverConfig.DataSourceRoute(n.millis("lease-ms", Duration.ofSeconds(3), 100, 600_000));
            }
            case "command" -> {
                n.allowOnly(Set.of("type", "command", "timeout-ms"));
                List<String> command = n.strings("command");
                if (command.isEmpty()) {
                    n.child("command").problem("missing 'command': a list, program first, e.g. [./flip.sh, --apply]");
                    return null;
                }
                return new CutoverConfig.Command(command, n.millis("timeout-ms", Duration.ofSeconds(10), 1, 3_600_000));
            }
            default -> {
                n.child("type").problem("unknown router type '" + type + "'; use 'pgbouncer', 'datasource' or 'command'");
                return null;
            }
        }
    }

    /** @param pipelineName the pipeline's name, or a stand-in when it is missing or invalid (a problem already) */
    private List<TableMapping> tables(ConfigNode n, String pipelineName) {
        List<TableMapping> out = new ArrayList<>();
        if (!n.present()) {
            n.problem("missing required key 'tables': list the blue tables to replicate");
            return out;
        }
        if (!n.json().isArray() || n.json().isEmpty()) {
            n.problem("'tables' must be a non-empty list of table mappings");
            return out;
        }
        Map<String, TableId> byTopic = new HashMap<>();
        for (ConfigNode t : n.elements()) {
            TableMapping m = table(t);
            if (m != null) {
                out.add(m);
                // Kafka topic names allow only [A-Za-z0-9._-]: Debezium replaces the rest with '_', so
                // two blue tables may share a topic, and the sink and the final check tell tables by topic
                String topic = PipelineConfig.topic(pipelineName, m.blue());
                TableId other = byTopic.putIfAbsent(topic, m.blue());
                if (other != null && !other.equals(m.blue())) {
                    t.child("blue").problem("blue tables " + other + " and " + m.blue() + " would share the Kafka"
                            + " topic '" + topic + "' (Debezium replaces characters"
                            + " other than letters, digits, '.', '_' and '-' with '_'); replicate them in two pipelines,"
                            + " or rename one on blue");
                }
            }
        }
        return out;
    }

    private TableMapping table(ConfigNode t) {
        if (!t.expectObject()) {
            t.problem("a table mapping must be a mapping with at least 'blue' and 'green'");
            return null;
        }
        t.allowOnly(Set.of("blue", "green", "targets", "key", "filter", "columns", "add"));
        TableId blue = tableId(t, "blue", true);
        List<TargetTable> targets = targets(t);
        List<String> key = t.strings("key");
        String filter = t.string("filter", null, false);
        List<ColumnMapping> columns = new ArrayList<>();
        ConfigNode cols = t.child("columns");
        if (cols.expectObject()) {
            for (String c : cols.keys()) {
                ColumnMapping cm = column(cols.child(c), c);
                if (cm != null) {
                    columns.add(cm);
                }
            }
        }
        List<AddedColumn> added = new ArrayList<>();
        ConfigNode add = t.child("add");
        if (add.expectObject()) {
            for (String c : add.keys()) {
                AddedColumn a = added(add.child(c), c);
                if (a != null) {
                    added.add(a);
                }
            }
        }
        if (blue == null || targets.isEmpty()) {
            return null;
        }
        return new TableMapping(blue, key, filter, columns, added, targets, t.location());
    }

    private List<TargetTable> targets(ConfigNode t) {
        List<TargetTable> out = new ArrayList<>();
        boolean hasGreen = t.child("green").present();
        boolean hasTargets = t.child("targets").present();
        if (hasGreen == hasTargets) {
            t.problem(hasGreen ? "give either 'green' (one table) or 'targets' (a vertical split), not both"
                    : "missing 'green': name the green table (schema.table), or list 'targets' to split the table");
            return out;
        }
        if (hasGreen) {
            TableId green = tableId(t, "green", true);
            if (green != null) {
                out.add(new TargetTable(green, List.of(), t.child("green").location()));
            }
            return out;
        }
        ConfigNode list = t.child("targets");
        if (!list.json().isArray() || list.json().size() < 2) {
            list.problem("'targets' must list at least two green tables, each {table: schema.name, columns: [...]};"
                    + " for a single table use 'green'");
            return out;
        }
        for (ConfigNode e : list.elements()) {
            if (!e.expectObject()) {
                continue;
            }
            e.allowOnly(Set.of("table", "columns"));
            TableId id = tableId(e, "table", true);
            List<String> columns = e.strings("columns");
            if (columns.isEmpty()) {
                e.problem("a split target needs 'columns': the green columns it receives besides the key");
            }
            if (id != null) {
                out.add(new TargetTable(id, columns, e.location()));
            }
        }
        return out;
    }

    private ColumnMapping column(ConfigNode c, String blueColumn) {
        Location loc = c.location();
        JsonNode j = c.json();
        if (j.isTextual()) {
            String v = j.asText();
            if (v.equals("drop")) {
                return new ColumnMapping(blueColumn, true, null, null, Map.of(), List.of(), null, loc);
            }
            return new ColumnMapping(blueColumn, false, v, null, Map.of(), List.of(), null, loc);
        }
        if (!c.expectObject()) {
            c.problem("expected 'drop', a new name, or {rename, cast, zone, scale, split}");
            return null;
        }
        c.allowOnly(Set.of("rename", "cast", "zone", "scale", "split", "drop"));
        boolean drop = c.child("drop").present() && c.child("drop").json().asBoolean(false);
        String rename = c.string("rename", null, false);
        String cast = c.string("cast", null, false);
        if (cast != null && !CASTS.contains(cast)) {
            c.child("cast").problem("unknown cast '" + cast + "'; known casts: "
                    + String.join(", ", CASTS.stream().sorted().toList()));
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (String opt : List.of("zone", "scale")) {
            String v = c.string(opt, null, false);
            if (v != null) {
                options.put(opt, v);
            }
        }
        List<String> into = List.of();
        String separator = null;
        ConfigNode split = c.child("split");
        if (split.expectObject()) {
            split.allowOnly(Set.of("into", "separator"));
            into = split.strings("into");
            separator = split.string("separator", null, true);
            if (into.size() < 2) {
                split.problem("'split.into' must name at least two green columns");
            }
            if (separator != null && separator.isEmpty()) {
                split.child("separator").problem("the split separator must not be empty");
            }
            if (rename != null || cast != null) {
                c.problem("a split column cannot also have 'rename' or 'cast'; cast the parts with 'add' expressions");
            }
        }
        return new ColumnMapping(blueColumn, drop, rename, cast, options, into, separator, loc);
    }

    private AddedColumn added(ConfigNode a, String greenColumn) {
        if (!a.expectObject()) {
            a.problem("expected {expr: ...}, {value: ...} or {merge: [...], separator: ...}");
            return null;
        }
        a.allowOnly(Set.of("expr", "value", "merge", "separator"));
        String expr = a.string("expr", null, false);
        boolean hasValue = a.json().has("value");
        Object value = hasValue ? scalar(a.child("value")) : null;
        List<String> merge = a.strings("merge");
        String separator = a.string("separator", "", false);
        int kinds = (expr != null ? 1 : 0) + (hasValue ? 1 : 0) + (merge.isEmpty() ? 0 : 1);
        if (kinds != 1) {
            a.problem("give exactly one of 'expr' (computed), 'value' (constant default) or 'merge' (join columns)");
        }
        if (!merge.isEmpty() && merge.size() < 2) {
            a.problem("'merge' needs at least two blue columns");
        }
        return new AddedColumn(greenColumn, expr, value, hasValue, merge, separator, a.location());
    }

    private static Object scalar(ConfigNode n) {
        JsonNode j = n.json();
        if (j.isNull() || j.isMissingNode()) {
            return null;
        }
        if (j.isIntegralNumber()) {
            return j.asLong();
        }
        if (j.isNumber()) {
            return j.decimalValue();
        }
        if (j.isBoolean()) {
            return j.asBoolean();
        }
        if (j.isTextual()) {
            return j.asText();
        }
        n.problem("a constant must be a number, text, true/false or null, got " + n.describe());
        return null;
    }

    private static TableId tableId(ConfigNode parent, String key, boolean required) {
        String text = parent.string(key, null, required);
        if (text == null) {
            return null;
        }
        try {
            return TableId.parse(text);
        } catch (IllegalArgumentException e) {
            parent.child(key).problem("expected 'schema.table', got '" + text + "'");
            return null;
        }
    }
}
