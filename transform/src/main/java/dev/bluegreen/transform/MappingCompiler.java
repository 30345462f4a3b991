package dev.bluegreen.transform;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.config.ColumnMapping;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.config.TargetTable;
import dev.bluegreen.core.error.ConfigException.Problem;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.transform.expr.RowExpression;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a declared {@link TableMapping} against the live blue and green schemas and compiles it into
 * a {@link CompiledMapping}. Collects every problem rather than stopping at the first: each names the
 * config file, line and YAML path of the offending node (e.g. {@code tables[2].columns.abalance}),
 * what is wrong and the fix.
 *
 * <p>The checks, in order: every blue column the mapping names exists (with the closest name
 * suggested); the blue key (declared and backed by a unique index, else the primary key; a table
 * with neither is refused with the DDL that adds one); every green target exists; every produced
 * green column exists in exactly one target, is not generated and is produced once; every cast fits
 * both column types and has its options, and every uncast pair is a lossless widening; every
 * expression and the filter parse as side-effect-free JEXL over existing blue columns; every constant
 * converts to its green column; each target has a key on exactly the mapped key columns, and no NOT
 * NULL column without a default is left without a value.
 *
 * <p>Stateless and thread-safe (each call uses its own state; the problem list is the caller's).
 */
public final class MappingCompiler {

    private MappingCompiler() {
    }

    /**
     * Compiles one table's mapping.
     *
     * @param mapping the declared mapping of one blue table
     * @param blue that blue table as read from blue's catalog
     * @param green the green tables that exist, by name (a missing target is a problem)
     * @param problems receives every problem found for this table (appended; earlier entries are kept)
     * @return the compiled mapping, or {@code null} when at least one problem was found for this table
     */
    public static CompiledMapping compile(TableMapping mapping, TableSchema blue, Map<TableId, TableSchema> green,
                                          List<Problem> problems) {
        requireNonNull(mapping, "mapping is null");
        requireNonNull(blue, "blue is null");
        requireNonNull(green, "green is null");
        CompileProblems log = new CompileProblems(problems);
        BlueColumns blueColumns = new BlueColumns(blue, log);
        checkColumnEntries(mapping, blueColumns, log);
        List<String> key = BlueKey.resolve(mapping, blueColumns, log);
        RowExpression filter = filter(mapping, blueColumns, log);
        Map<TargetTable, TableSchema> targets = targets(mapping, green, log);
        if (targets.size() != mapping.targets().size()) {
            return null;
        }
        // when the key was refused, place columns by the intended key so that no follow-on problems appear
        List<String> intended = key.isEmpty() ? (mapping.key().isEmpty() ? blue.primaryKey() : mapping.key()) : key;
        List<String> greenKey = intended.stream().map(k -> greenName(mapping, k)).toList();
        GreenPlacement placement = new GreenPlacement(targets, log);
        Map<String, ColumnRule> producers = new RuleCompiler(mapping, blueColumns, placement, log).compile(greenKey);
        if (key.isEmpty()) {
            return null;
        }
        List<TargetShape> shapes = new ArrayList<>();
        for (TargetTable t : mapping.targets()) {
            shapes.add(TargetShapes.build(t, targets.get(t), greenKey, placement, producers.keySet(), log));
        }
        if (log.any()) {
            return null;
        }
        List<ColumnRule> rules = producers.values().stream().distinct().toList();
        return new CompiledMapping(mapping.blue(), key, rules, keyRules(greenKey, producers), filter, shapes);
    }

    private static void checkColumnEntries(TableMapping m, BlueColumns blue, CompileProblems log) {
        for (ColumnMapping c : m.columns()) {
            blue.require(c.blueColumn(), c.location(), "columns");
            if (c.drop() && (c.rename() != null || c.cast() != null || c.isSplit() || !c.castOptions().isEmpty())) {
                log.add(c.location(), "column '" + c.blueColumn() + "' is dropped and also renamed, cast or split;"
                        + " keep either 'drop' or the rest");
            } else if (c.isSplit() && !c.castOptions().isEmpty()) {
                log.add(c.location(), "a split takes no cast options (" + c.castOptions().keySet() + "); remove them");
            }
        }
    }

    private static RowExpression filter(TableMapping m, BlueColumns blue, CompileProblems log) {
        if (m.filter() == null) {
            return null;
        }
        try {
            RowExpression f = RowExpression.compile(m.filter(), "filter");
            f.variables().forEach(v -> blue.readable(v, m.location(), "filter '" + m.filter() + "'"));
            return f;
        } catch (IllegalArgumentException e) {
            log.add(m.location(), "filter: " + e.getMessage());
            return null;
        }
    }

    private static Map<TargetTable, TableSchema> targets(TableMapping m, Map<TableId, TableSchema> green,
                                                         CompileProblems log) {
        Map<TargetTable, TableSchema> out = new LinkedHashMap<>();
        Set<TableId> seen = new HashSet<>();
        for (TargetTable t : m.targets()) {
            TableSchema s = green.get(t.table());
            if (!seen.add(t.table())) {
                log.add(t.location(), "green table " + t.table() + " is listed twice in 'targets'; list each table once");
            } else if (s == null) {
                log.add(t.location(), "green table " + t.table() + " does not exist; create it (Flyway migration) before"
                        + " starting" + CompileProblems.didYouMean(t.table().toString(),
                        green.keySet().stream().map(TableId::toString).toList()));
            } else {
                out.put(t, s);
            }
        }
        return out;
    }

    private static String greenName(TableMapping m, String blueKeyColumn) {
        return m.columns().stream().filter(c -> c.blueColumn().equals(blueKeyColumn)).findFirst()
                .map(ColumnMapping::greenColumn).orElse(blueKeyColumn);
    }

    private static List<ColumnRule.Copy> keyRules(List<String> greenKey, Map<String, ColumnRule> producers) {
        List<ColumnRule.Copy> out = new ArrayList<>();
        for (String g : greenKey) {
            if (!(producers.get(g) instanceof ColumnRule.Copy copy)) {
                throw new IllegalStateException("key column " + g + " is not copied from blue: " + producers.get(g));
            }
            out.add(copy);
        }
        return out;
    }
}
