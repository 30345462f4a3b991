package dev.bluegreen.core.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The whole pipeline configuration, parsed from one YAML file by {@link PipelineConfigLoader}.
 * Immutable once built; nothing changes it at runtime.
 *
 * @param source the config file as given, or {@code null} for configs built in code
 * @param name pipeline name ({@code [a-z][a-z0-9_]*}, at most 40 characters): names the replication
 *     slot, publication, topics and consumer group
 * @param workDir folder for Debezium offsets and the embedded broker's data
 * @param blue the source database
 * @param green the target database
 * @param kafka the broker
 * @param capture capture settings
 * @param sink sink settings
 * @param tables table mappings, never empty
 * @param cutover cutover settings, or {@code null} when the file has no {@code cutover} section
 * @param backfill settings of the initial copy ({@code capture.snapshot: copy}); never null
 */
public record PipelineConfig(
        Path source, String name, Path workDir, EndpointConfig blue, EndpointConfig green, KafkaConfig kafka,
        CaptureConfig capture, SinkConfig sink, List<TableMapping> tables, CutoverConfig cutover,
        BackfillConfig backfill) {

    /** A config with the default backfill settings. */
    public PipelineConfig(Path source, String name, Path workDir, EndpointConfig blue, EndpointConfig green,
                          KafkaConfig kafka, CaptureConfig capture, SinkConfig sink, List<TableMapping> tables,
                          CutoverConfig cutover) {
        this(source, name, workDir, blue, green, kafka, capture, sink, tables, cutover, BackfillConfig.DEFAULTS);
    }

    /** A config without a cutover section. */
    public PipelineConfig(Path source, String name, Path workDir, EndpointConfig blue, EndpointConfig green,
                          KafkaConfig kafka, CaptureConfig capture, SinkConfig sink, List<TableMapping> tables) {
        this(source, name, workDir, blue, green, kafka, capture, sink, tables, null);
    }

    /** Allowed pipeline names (they become PostgreSQL slot names, which allow only these). */
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");

    public PipelineConfig {
        requireNonNull(name, "name is null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("pipeline name must match " + NAME + ", got '" + name + "'");
        }
        requireNonNull(workDir, "workDir is null");
        requireNonNull(blue, "blue is null");
        requireNonNull(green, "green is null");
        requireNonNull(kafka, "kafka is null");
        requireNonNull(capture, "capture is null");
        requireNonNull(sink, "sink is null");
        requireNonNull(backfill, "backfill is null");
        tables = List.copyOf(tables);
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("a pipeline needs at least one table");
        }
    }

    /** Replication slot on blue. */
    public String slotName() {
        return "bluegreen_" + name;
    }

    /** Publication on blue. */
    public String publicationName() {
        return "bluegreen_" + name;
    }

    /** Prefix of every topic; Debezium's {@code topic.prefix}. */
    public String topicPrefix() {
        return "bluegreen." + name; // topic(String, TableId) composes the same prefix
    }

    /**
     * Debezium's change-event topic of a blue table: {@code <prefix>.<schema>.<table>}, with the
     * characters Kafka does not allow replaced as Debezium does ({@link TopicNames}).
     */
    public String topic(dev.bluegreen.core.event.TableId table) {
        return topic(name, table);
    }

    /**
     * {@link #topic(dev.bluegreen.core.event.TableId)} for a pipeline named {@code pipelineName}: the config binder
     * checks with it that no two mapped tables share a topic before the config exists.
     */
    public static String topic(String pipelineName, dev.bluegreen.core.event.TableId table) {
        return TopicNames.sanitized("bluegreen." + pipelineName + "." + table.schema() + "." + table.name());
    }

    /** The change-event topics of the mapped blue tables (the heartbeat table's excluded), in config order. */
    public List<String> tableTopics() {
        return tables.stream().map(t -> topic(t.blue())).distinct().toList();
    }

    /** Kafka consumer group of the sink. */
    public String consumerGroup() {
        return "bluegreen-" + name + "-sink";
    }
}
