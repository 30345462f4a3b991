package dev.bluegreen.cli.pipeline;

import dev.bluegreen.capture.BlueSetup;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.config.TargetTable;
import dev.bluegreen.core.dialect.Catalog;
import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.dialect.postgres.PostgresCatalog;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ConfigException;
import dev.bluegreen.core.error.ConfigException.Problem;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.transform.CompiledMapping;
import dev.bluegreen.transform.MappingCompiler;
import dev.bluegreen.transform.RowTransform;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Checks a pipeline config against the live blue and green catalogs and compiles every mapping.
 * Collects every problem of every table, then throws once. Stateless.
 */
public final class PipelineValidator {

    private PipelineValidator() {
    }

    /**
     * Validates and compiles.
     *
     * @throws ConfigException (SCHEMA_MISMATCH) listing every problem with file, line, YAML path and fix
     * @throws BluegreenException (BLUE_UNAVAILABLE / GREEN_UNAVAILABLE) when a catalog cannot be read
     */
    public static ValidatedPipeline validate(PipelineConfig config, DataSource blue, DataSource green) {
        List<Problem> problems = new ArrayList<>();
        Map<TableId, TableSchema> blueTables = new LinkedHashMap<>();
        Map<TableId, RowTransform> transforms = new LinkedHashMap<>();
        Map<TableId, List<String>> declaredKeys = new HashMap<>();
        try (Connection b = connect(blue, ErrorCode.BLUE_UNAVAILABLE, "blue");
             Connection g = connect(green, ErrorCode.GREEN_UNAVAILABLE, "green")) {
            Engine engine = Engine.of(config.blue());
            Catalog blueCatalog = Catalog.of(engine, b);
            PostgresCatalog greenCatalog = new PostgresCatalog(g);
            for (TableMapping m : config.tables()) {
                Optional<TableSchema> bt = blueTable(blueCatalog, m, problems);
                if (bt.isEmpty()) {
                    continue;
                }
                blueTables.put(m.blue(), bt.get());
                if (engine == Engine.MARIADB && "initial".equals(config.capture().snapshot())) {
                    bt.get().columns().stream().filter(c -> c.type().kind() == TypeKind.FLOAT32).forEach(c ->
                            problems.add(m.location().problem("blue column " + m.blue() + "." + c.name() + " is "
                                    + c.type().sqlName() + ": Debezium's own snapshot of a MariaDB float keeps six"
                                    + " significant digits (DBZ-3865); use capture.snapshot: copy (the default), which"
                                    + " reads floats exactly, or make the column double")));
                }
                Map<TableId, TableSchema> greens = new HashMap<>();
                for (TargetTable t : m.targets()) {
                    greenCatalog.table(t.table()).ifPresent(s -> greens.put(t.table(), s));
                }
                CompiledMapping compiled = MappingCompiler.compile(m, bt.get(), greens, problems);
                if (compiled != null) {
                    transforms.put(m.blue(), compiled);
                    if (!compiled.blueKeyColumns().equals(bt.get().primaryKey())) {
                        declaredKeys.put(m.blue(), compiled.blueKeyColumns());
                        checkReplicaIdentity(blueCatalog, m, problems);
                    }
                }
            }
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.BLUE_UNAVAILABLE, "reading the catalogs failed: " + e.getMessage(), e);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(ErrorCode.SCHEMA_MISMATCH, problems);
        }
        blueTables.put(BlueSetup.HEARTBEAT, heartbeatSchema());
        return new ValidatedPipeline(config, blueTables, transforms, declaredKeys);
    }

    private static Optional<TableSchema> blueTable(Catalog catalog, TableMapping m, List<Problem> problems)
            throws SQLException {
        Optional<TableSchema> t = catalog.table(m.blue());
        if (t.isEmpty()) {
            problems.add(m.location().problem("blue table " + m.blue() + " does not exist (or is not a table);"
                    + " check 'blue:' (schema.table, as spelled in the catalog)"));
            return t;
        }
        if (!(catalog instanceof PostgresCatalog pg)) {
            return t;
        }
        Optional<PostgresCatalog.TableFacts> facts = pg.facts(m.blue());
        if (facts.isPresent() && facts.get().partition()) {
            problems.add(m.location().problem("blue table " + m.blue() + " is a partition; map its partitioned root"
                    + " table instead (changes are captured as the root's)"));
            return Optional.empty();
        }
        return t;
    }

    private static void checkReplicaIdentity(Catalog catalog, TableMapping m, List<Problem> problems)
            throws SQLException {
        if (!(catalog instanceof PostgresCatalog pg)) {
            // MariaDB's row binlog with binlog_row_image=FULL (checked at start) carries every column of a delete
            return;
        }
        Optional<PostgresCatalog.TableFacts> facts = pg.facts(m.blue());
        char identity = facts.map(PostgresCatalog.TableFacts::replicaIdentity).orElse('d');
        if (identity != 'i' && identity != 'f') {
            problems.add(m.location().problem("blue table " + m.blue() + " uses a declared key, so deletes must carry"
                    + " it: run ALTER TABLE " + m.blue() + " REPLICA IDENTITY USING INDEX <its unique index>"
                    + " (or REPLICA IDENTITY FULL)"));
        }
    }

    private static Connection connect(DataSource ds, ErrorCode code, String which) {
        try {
            return ds.getConnection();
        } catch (SQLException e) {
            throw new BluegreenException(code, "cannot connect to " + which + ": " + e.getMessage(), e);
        }
    }

    /** The heartbeat table's shape as {@link BlueSetup} creates it. */
    private static TableSchema heartbeatSchema() {
        return new TableSchema(BlueSetup.HEARTBEAT, List.of(
                new ColumnSchema("pipeline", ColumnType.of(TypeKind.TEXT, "text"), false, false, false),
                new ColumnSchema("beat_at", ColumnType.of(TypeKind.TIMESTAMPTZ, "timestamp with time zone"), false,
                        false, false),
                new ColumnSchema("beats", ColumnType.of(TypeKind.INT64, "bigint"), false, false, false)),
                List.of("pipeline"), List.of(List.of("pipeline")), false);
    }
}
