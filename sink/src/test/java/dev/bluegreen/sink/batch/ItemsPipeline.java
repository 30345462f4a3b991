package dev.bluegreen.sink.batch;

import dev.bluegreen.core.config.AddedColumn;
import dev.bluegreen.core.config.ColumnMapping;
import dev.bluegreen.core.config.Location;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.config.TargetTable;
import dev.bluegreen.core.error.ConfigException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.event.envelope.DebeziumEnvelopeDecoder;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.transform.CompiledMapping;
import dev.bluegreen.transform.MappingCompiler;
import dev.bluegreen.transform.RowTransform;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pipeline the planner tests run: blue {@code public.items(id integer primary key, name text,
 * qty integer, note text)} mapped by the real {@link MappingCompiler} onto green
 * {@code shop.items(item_id bigint primary key, name varchar(5), qty integer, note text)}
 * ({@code id} renamed and cast to bigint, {@code name} cast to varchar), plus blue's heartbeat
 * table. Static fixtures only.
 */
final class ItemsPipeline {

    static final TableId BLUE = new TableId("public", "items");
    static final TableId GREEN = new TableId("shop", "items");
    static final TableId HEARTBEAT = new TableId("bluegreen", "heartbeat");

    static final TableSchema BLUE_SCHEMA = new TableSchema(BLUE, List.of(
            col("id", ColumnType.of(TypeKind.INT32, "integer"), false),
            col("name", ColumnType.of(TypeKind.TEXT, "text"), true),
            col("qty", ColumnType.of(TypeKind.INT32, "integer"), true),
            col("note", ColumnType.of(TypeKind.TEXT, "text"), true)),
            List.of("id"), List.of(List.of("id")), false);

    static final TableSchema HEARTBEAT_SCHEMA = new TableSchema(HEARTBEAT, List.of(
            col("pipeline", ColumnType.of(TypeKind.TEXT, "text"), false),
            col("beat_at", ColumnType.of(TypeKind.TIMESTAMPTZ, "timestamp with time zone"), false),
            col("beats", ColumnType.of(TypeKind.INT64, "bigint"), false)),
            List.of("pipeline"), List.of(List.of("pipeline")), false);

    static final TableSchema GREEN_SCHEMA = new TableSchema(GREEN, List.of(
            col("item_id", ColumnType.of(TypeKind.INT64, "bigint"), false),
            col("name", new ColumnType(TypeKind.TEXT, "character varying(5)", 5, -1, -1, null), true),
            col("qty", ColumnType.of(TypeKind.INT32, "integer"), true),
            col("note", ColumnType.of(TypeKind.TEXT, "text"), true)),
            List.of("item_id"), List.of(List.of("item_id")), false);

    private ItemsPipeline() {
    }

    /** A planner over the items mapping with no filter. */
    static BatchPlanner planner() {
        return filtered(null);
    }

    /** A planner over the items mapping with this row filter (JEXL over blue columns), or none. */
    static BatchPlanner filtered(String filter) {
        return withTransforms(Map.of(BLUE, compile(filter)));
    }

    /** A planner whose decoder knows the items and heartbeat tables, with these transforms. */
    static BatchPlanner withTransforms(Map<TableId, RowTransform> transforms) {
        return new BatchPlanner(new DebeziumEnvelopeDecoder(Map.of(BLUE, BLUE_SCHEMA, HEARTBEAT, HEARTBEAT_SCHEMA)),
                transforms, HEARTBEAT);
    }

    /** The real compiled mapping; fails the test setup when the compiler reports a problem. */
    static CompiledMapping compile(String filter) {
        Location at = new Location("pipeline.yaml", 3, "tables[0]");
        TableMapping mapping = new TableMapping(BLUE, List.of(), filter, List.of(
                new ColumnMapping("id", false, "item_id", "bigint", Map.of(), List.of(), null, at),
                new ColumnMapping("name", false, null, "varchar", Map.of(), List.of(), null, at)),
                List.<AddedColumn>of(), List.of(new TargetTable(GREEN, List.of(), at)), at);
        List<ConfigException.Problem> problems = new ArrayList<>();
        CompiledMapping compiled = MappingCompiler.compile(mapping, BLUE_SCHEMA, Map.of(GREEN, GREEN_SCHEMA), problems);
        if (compiled == null || !problems.isEmpty()) {
            throw new IllegalStateException("test mapping does not compile: " + problems);
        }
        return compiled;
    }

    /** A green row as the transform shapes it (key first, then green ordinal order). */
    static Row green(long id, String name, long qty, Object note) {
        return Row.ofPairs("item_id", id, "name", name, "qty", qty, "note", note);
    }

    /** A green key. */
    static Row greenKey(long id) {
        return Row.ofPairs("item_id", id);
    }

    private static ColumnSchema col(String name, ColumnType type, boolean nullable) {
        return new ColumnSchema(name, type, nullable, false, false);
    }
}
