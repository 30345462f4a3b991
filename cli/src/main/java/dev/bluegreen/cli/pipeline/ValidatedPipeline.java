package dev.bluegreen.cli.pipeline;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.transform.RowTransform;
import dev.bluegreen.transform.TargetShape;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pipeline config checked against the live schemas: the blue tables as read from blue's catalog,
 * each table's compiled transform, and every green target's shape. Immutable.
 *
 * @param config the config
 * @param blueTables blue catalog entries of the mapped tables plus the heartbeat table
 * @param transforms compiled mapping per blue table, in config order
 * @param declaredKeys blue tables whose key is a declared unique key rather than the primary key
 */
public record ValidatedPipeline(PipelineConfig config, Map<TableId, TableSchema> blueTables,
                                Map<TableId, RowTransform> transforms, Map<TableId, List<String>> declaredKeys) {

    public ValidatedPipeline {
        requireNonNull(config, "config is null");
        blueTables = Map.copyOf(blueTables);
        transforms = Map.copyOf(transforms);
        declaredKeys = Map.copyOf(declaredKeys);
    }

    /** Every green target's shape, by green table. */
    public Map<TableId, TargetShape> targetShapes() {
        Map<TableId, TargetShape> out = new HashMap<>();
        transforms.values().forEach(t -> t.targets().forEach(s -> out.put(s.table(), s)));
        return out;
    }
}
