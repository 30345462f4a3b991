package dev.bluegreen.cutover.parity;

import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.config.PipelineConfigLoader;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.config.TargetTable;
import dev.bluegreen.core.dialect.postgres.PostgresCatalog;
import dev.bluegreen.core.error.ConfigException;
import dev.bluegreen.core.error.ConfigException.Problem;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.transform.CompiledMapping;
import dev.bluegreen.transform.MappingCompiler;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Plain test helper: a pipeline config from YAML text, compiled against the live schemas (not a base class). */
final class ParityTables {

    private ParityTables() {
    }

    static PipelineConfig config(String yaml) {
        return new PipelineConfigLoader(v -> null).parse(yaml, "test.yaml", Path.of("."));
    }

    /** Every mapped table of the config, compiled as the pipeline validator does. */
    static List<ParityTable> compile(PipelineConfig config, DataSource blue, DataSource green) throws Exception {
        List<ParityTable> out = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        try (Connection b = blue.getConnection(); Connection g = green.getConnection()) {
            PostgresCatalog blueCatalog = new PostgresCatalog(b);
            PostgresCatalog greenCatalog = new PostgresCatalog(g);
            for (TableMapping m : config.tables()) {
                TableSchema bt = blueCatalog.table(m.blue()).orElseThrow();
                Map<TableId, TableSchema> greens = new HashMap<>();
                for (TargetTable t : m.targets()) {
                    greenCatalog.table(t.table()).ifPresent(s -> greens.put(t.table(), s));
                }
                CompiledMapping compiled = MappingCompiler.compile(m, bt, greens, problems);
                if (compiled != null) {
                    out.add(new ParityTable(m, bt, compiled));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return out;
    }
}
