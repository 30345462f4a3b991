package dev.bluegreen.transform;

import dev.bluegreen.core.config.AddedColumn;
import dev.bluegreen.core.config.ColumnMapping;
import dev.bluegreen.core.config.Location;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.config.TargetTable;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ConfigException.Problem;
import dev.bluegreen.core.error.Suggestions;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.transform.cast.Cast;
import dev.bluegreen.transform.expr.Expressions;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a declared {@link TableMapping} against the live blue and green schemas and compiles it
 * into a {@link CompiledMapping}. Every problem found is appended (with file, line, YAML path and
 * the fix); nothing is compiled when one is found. Stateless.
 */
public final class MappingCompiler {

    private MappingCompiler() {
    }

    /**
     * Compiles one table's mapping.
     *
     * @param blue the blue table as read from blue's catalog
     * @param green the green tables that exist, by name (missing targets are reported)
     * @param problems receives every problem found
     * @return the compiled mapping, or {@code null} when a problem was found for this table
     */
    public static CompiledMapping compile(TableMapping mapping, TableSchema blue, Map<TableId, TableSchema> green,
                                          List<Problem> problems) {
        return new Run(mapping, blue, green, problems).compile();
    }

    /** One compilation; holds the working state. */
    private static final class Run {
        private final TableMapping m;
        private final TableSchema blue;
        private final Map<TableId, TableSchema> green;
        private final List<Problem> problems;
        private final int problemsBefore;
        private final Map<String, ColumnMapping> byBlue = new LinkedHashMap<>();
        private final Map<String, ColumnRule> producers = new LinkedHashMap<>();
        private final Map<String, Location> producedAt = new HashMap<>();

        Run(TableMapping m, TableSchema blue, Map<TableId, TableSchema> green, List<Problem> problems) {
            this.m = m;
            this.blue = blue;
            this.green = green;
            this.problems = problems;
            this.problemsBefore = problems.size();
        }

        CompiledMapping compile() {
            m.columns().forEach(c -> byBlue.put(c.blueColumn(), c));
            byBlue.values().forEach(c -> blueColumn(c.blueColumn(), c.location(), "columns"));
            List<String> key = key();
            Map<TargetTable, TableSchema> targets = targets();
            Map<String, TargetTable> placement = new HashMap<>();
            if (targets.size() == m.targets().size()) {
                buildRules(key, targets, placement);
            }
            Expressions.Compiled filter = filter();
            if (problems.size() > problemsBefore) {
                return null;
            }
            List<TargetShape> shapes = new ArrayList<>();
            List<String> greenKey = key.stream().map(this::greenNameOf).toList();
            for (TargetTable t : m.targets()) {
                shapes.add(shape(t, targets.get(t), greenKey, placement));
            }
            if (problems.size() > problemsBefore) {
                return null;
            }
            List<ColumnRule.Copy> keyRules = key.stream().map(k -> (ColumnRule.Copy) producers.get(greenNameOf(k))).toList();
            return new CompiledMapping(m.blue(), key, List.copyOf(producers.values()), keyRules, filter, shapes);
        }

        private List<String> key() {
            List<String> key = m.key().isEmpty() ? blue.primaryKey() : m.key();
            if (key.isEmpty()) {
                problem(m.location(), "blue table " + m.blue() + " has no primary key, and bluegreen needs a key to keep"
                        + " per-row order and apply idempotently. Add one on blue: ALTER TABLE " + m.blue()
                        + " ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY; or declare 'key: [columns]'"
                        + " backed by a unique index: CREATE UNIQUE INDEX ON " + m.blue() + " (columns)");
                return key;
            }
            key.forEach(k -> blueColumn(k, m.location(), "key"));
            if (!m.key().isEmpty() && !new HashSet<>(key).equals(new HashSet<>(blue.primaryKey()))
                    && blue.uniqueKeys().stream().noneMatch(u -> new HashSet<>(u).equals(new HashSet<>(key)))) {
                problem(m.location(), "declared key " + key + " of " + m.blue() + " is not backed by a unique index on"
                        + " NOT NULL columns; create one: CREATE UNIQUE INDEX ON " + m.blue() + " ("
                        + String.join(", ", key) + ")");
            }
            for (String k : key) {
                ColumnMapping c = byBlue.get(k);
                if (c != null && (c.drop() || c.isSplit())) {
                    problem(c.location(), "key column '" + k + "' may be renamed or cast, but not dropped or split");
                }
            }
            return key;
        }

        private Map<TargetTable, TableSchema> targets() {
            Map<TargetTable, TableSchema> out = new LinkedHashMap<>();
            for (TargetTable t : m.targets()) {
                TableSchema s = green.get(t.table());
                if (s == null) {
                    problem(t.location(), "green table " + t.table() + " does not exist; create it (e.g. with a Flyway"
                            + " migration) before starting the pipeline");
                } else {
                    out.put(t, s);
                }
            }
            return out;
        }

        private void buildRules(List<String> key, Map<TargetTable, TableSchema> targets, Map<String, TargetTable> placement) {
            for (ColumnSchema c : blue.columns()) {
                ColumnMapping cm = byBlue.get(c.name());
                Location at = cm != null ? cm.location() : m.location();
                if (cm == null) {
                    copy(c, c.name(), null, Map.of(), at, true, targets, placement, key);
                } else if (cm.isSplit()) {
                    split(c, cm, targets, placement, key);
                } else if (!cm.drop()) {
                    copy(c, cm.greenColumn(), cm.cast(), cm.castOptions(), at, false, targets, placement, key);
                }
            }
            for (AddedColumn a : m.added()) {
                added(a, targets, placement, key);
            }
        }

        private void copy(ColumnSchema c, String greenName, String castName, Map<String, String> options, Location at,
                          boolean passthrough, Map<TargetTable, TableSchema> targets, Map<String, TargetTable> placement,
                          List<String> key) {
            Optional<ColumnSchema> gc = greenColumn(greenName, at, passthrough, targets, placement, key.contains(c.name()));
            if (gc.isEmpty()) {
                return;
            }
            ColumnType gt = gc.get().type();
            Cast cast = castName == null ? null : Cast.byName(castName);
            String mismatch = cast == null ? TypeCompatibility.check(c.type(), gt) : cast.check(c.type(), gt);
            if (mismatch != null) {
                problem(at, "column '" + c.name() + "' -> '" + greenName + "': " + mismatch);
                return;
            }
            Cast.Options resolved = cast == null ? Cast.Options.NONE : options(cast, c, options, at);
            produce(greenName, new ColumnRule.Copy(c.name(), greenName, cast, resolved, gt), at);
        }

        private Cast.Options options(Cast cast, ColumnSchema c, Map<String, String> options, Location at) {
            if (cast == Cast.MINOR_UNITS) {
                int scale = c.type().scale();
                if (options.containsKey("scale")) {
                    try {
                        scale = Integer.parseInt(options.get("scale"));
                    } catch (NumberFormatException e) {
                        problem(at, "scale '" + options.get("scale") + "' is not a whole number");
                    }
                }
                if (scale < 0) {
                    problem(at, "cast 'minor-units' needs 'scale: N' because blue column '" + c.name() + "' ("
                            + c.type().sqlName() + ") declares none");
                }
                return new Cast.Options(scale, null);
            }
            if (cast == Cast.TIMESTAMPTZ) {
                String zone = options.get("zone");
                if (zone == null) {
                    problem(at, "cast 'timestamptz' needs 'zone:' (e.g. UTC or Europe/Paris): the zone blue's local"
                            + " times were written in");
                    return Cast.Options.NONE;
                }
                try {
                    return new Cast.Options(-1, ZoneId.of(zone));
                } catch (DateTimeException e) {
                    problem(at, "zone '" + zone + "' is not a known time zone: " + e.getMessage());
                    return Cast.Options.NONE;
                }
            }
            return Cast.Options.NONE;
        }

        private void split(ColumnSchema c, ColumnMapping cm, Map<TargetTable, TableSchema> targets,
                           Map<String, TargetTable> placement, List<String> key) {
            if (c.type().kind() != TypeKind.TEXT) {
                problem(cm.location(), "only text columns can be split; '" + c.name() + "' is " + c.type().sqlName());
                return;
            }
            for (String g : cm.splitInto()) {
                Optional<ColumnSchema> gc = greenColumn(g, cm.location(), false, targets, placement, false);
                if (gc.isPresent() && gc.get().type().kind() != TypeKind.TEXT) {
                    problem(cm.location(), "split part '" + g + "' must be a text column in green, not " + gc.get().type());
                }
            }
            ColumnRule.Split rule = new ColumnRule.Split(c.name(), cm.splitInto(), cm.splitSeparator());
            cm.splitInto().forEach(g -> produce(g, rule, cm.location()));
        }

        private void added(AddedColumn a, Map<TargetTable, TableSchema> targets, Map<String, TargetTable> placement,
                           List<String> key) {
            Location at = a.location();
            Optional<ColumnSchema> gc = greenColumn(a.greenColumn(), at, false, targets, placement, false);
            if (gc.isEmpty()) {
                return;
            }
            ColumnType gt = gc.get().type();
            if (a.expr() != null) {
                try {
                    Expressions.Compiled e = Expressions.compile(a.expr());
                    e.variables().forEach(v -> blueColumn(v, at, "expr"));
                    produce(a.greenColumn(), new ColumnRule.Computed(e, a.greenColumn(), gt), at);
                } catch (IllegalArgumentException e) {
                    problem(at, e.getMessage());
                }
            } else if (!a.merge().isEmpty()) {
                a.merge().forEach(v -> blueColumn(v, at, "merge"));
                if (gt.kind() != TypeKind.TEXT) {
                    problem(at, "a merge writes text, but green column '" + a.greenColumn() + "' is " + gt.sqlName());
                }
                produce(a.greenColumn(), new ColumnRule.Merge(a.merge(), a.separator(), a.greenColumn(), gt), at);
            } else {
                try {
                    Object value = Conversions.toCanonical(a.value(), gt);
                    produce(a.greenColumn(), new ColumnRule.Constant(a.greenColumn(), value), at);
                } catch (BluegreenException e) {
                    problem(at, "constant for '" + a.greenColumn() + "': " + e.getMessage());
                }
            }
        }

        /** Finds the green column a produced name lands in, checking it exists in its target. */
        private Optional<ColumnSchema> greenColumn(String name, Location at, boolean passthrough,
                                                   Map<TargetTable, TableSchema> targets,
                                                   Map<String, TargetTable> placement, boolean isKey) {
            List<TargetTable> homes = new ArrayList<>();
            for (TargetTable t : targets.keySet()) {
                if (isKey || t.columns().isEmpty() || t.columns().contains(name)) {
                    homes.add(t);
                }
            }
            if (homes.isEmpty()) {
                problem(at, "green column '" + name + "' is in none of the targets' 'columns' lists; add it to one,"
                        + (passthrough ? " or drop blue column '" + name + "' (columns: {" + name + ": drop})" : ""));
                return Optional.empty();
            }
            if (homes.size() > 1 && !isKey) {
                problem(at, "green column '" + name + "' is listed in more than one target; list it in exactly one");
                return Optional.empty();
            }
            ColumnSchema found = null;
            for (TargetTable t : homes) {
                Optional<ColumnSchema> c = targets.get(t).column(name);
                if (c.isEmpty()) {
                    problem(at, "green table " + t.table() + " has no column '" + name + "'" + closest(name,
                            targets.get(t).columnNames()) + (passthrough ? "; blue column '" + name + "' is copied by"
                            + " name because the mapping does not mention it: rename it (columns: {" + name
                            + ": new_name}) or drop it (columns: {" + name + ": drop})" : ""));
                    return Optional.empty();
                }
                if (c.get().generated()) {
                    problem(at, "green column " + t.table() + "." + name + " is generated by the server; do not map to it");
                    return Optional.empty();
                }
                found = c.get();
                if (!isKey) {
                    placement.put(name, t);
                }
            }
            return Optional.ofNullable(found);
        }

        private TargetShape shape(TargetTable t, TableSchema s, List<String> greenKey, Map<String, TargetTable> placement) {
            Set<String> keySet = new HashSet<>(greenKey);
            boolean keyed = new HashSet<>(s.primaryKey()).equals(keySet)
                    || s.uniqueKeys().stream().anyMatch(u -> new HashSet<>(u).equals(keySet));
            if (!keyed) {
                problem(t.location(), "green table " + t.table() + " needs a primary key (or a unique index on NOT NULL"
                        + " columns) on exactly " + greenKey + ", the mapped blue key, so that upserts find their row;"
                        + " it has " + (s.primaryKey().isEmpty() ? "no primary key" : "primary key " + s.primaryKey()));
            }
            List<String> columns = new ArrayList<>(greenKey);
            Map<String, ColumnType> types = new HashMap<>();
            for (ColumnSchema c : s.columns()) {
                boolean mine = placement.get(c.name()) == t;
                if (mine && !keySet.contains(c.name())) {
                    columns.add(c.name());
                }
                if (!mine && !keySet.contains(c.name()) && !c.nullable() && !c.hasDefault() && !c.generated()) {
                    problem(t.location(), "green column " + t.table() + "." + c.name() + " is NOT NULL without a"
                            + " default, and the mapping gives it no value: map a blue column to it or add it"
                            + " with 'add: {" + c.name() + ": {value: ...}}'");
                }
                types.put(c.name(), c.type());
            }
            for (String listed : t.columns()) {
                if (!producers.containsKey(listed)) {
                    problem(t.location(), "target column '" + listed + "' is not produced by the mapping (green names:"
                            + " " + producers.keySet() + ")");
                }
            }
            if (!keyed || problems.size() > problemsBefore) {
                return null;
            }
            Map<String, ColumnType> used = new HashMap<>();
            columns.forEach(c -> used.put(c, types.get(c)));
            return new TargetShape(t.table(), greenKey, columns, used);
        }

        private Expressions.Compiled filter() {
            if (m.filter() == null) {
                return null;
            }
            try {
                Expressions.Compiled f = Expressions.compile(m.filter());
                f.variables().forEach(v -> blueColumn(v, m.location(), "filter"));
                return f;
            } catch (IllegalArgumentException e) {
                problem(m.location(), "filter: " + e.getMessage());
                return null;
            }
        }

        private void produce(String greenName, ColumnRule rule, Location at) {
            if (producers.containsKey(greenName) && producers.get(greenName) != rule) {
                problem(at, "green column '" + greenName + "' is produced twice (also at " + producedAt.get(greenName).path()
                        + "); each green column needs exactly one source");
                return;
            }
            producers.put(greenName, rule);
            producedAt.putIfAbsent(greenName, at);
        }

        private String greenNameOf(String blueKeyColumn) {
            ColumnMapping cm = byBlue.get(blueKeyColumn);
            return cm == null ? blueKeyColumn : cm.greenColumn();
        }

        private void blueColumn(String name, Location at, String where) {
            if (blue.column(name).isEmpty()) {
                problem(at, "blue table " + m.blue() + " has no column '" + name + "' (used in " + where + ")"
                        + closest(name, blue.columnNames()));
            }
        }

        private void problem(Location at, String message) {
            problems.add(at.problem(message));
        }

        private static String closest(String name, List<String> candidates) {
            return Suggestions.closest(name, candidates).map(b -> "; did you mean '" + b + "'?").orElse("");
        }
    }
}
