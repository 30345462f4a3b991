package dev.bluegreen.transform;

import dev.bluegreen.core.config.TargetTable;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TableSchema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the {@link TargetShape} of one green target once its columns are placed, checking what the
 * sink needs from the green table: a primary key or unique index on exactly the mapped key (for
 * {@code INSERT ... ON CONFLICT}), a value for every NOT NULL column without a default, and that every
 * column the target lists is produced. Stateless.
 */
final class TargetShapes {

    private TargetShapes() {
    }

    /**
     * @param greenKey green key column names, in blue key order
     * @param produced every green column the mapping produces
     * @return the shape, or {@code null} after reporting a problem
     */
    static TargetShape build(TargetTable t, TableSchema s, List<String> greenKey, GreenPlacement placement,
                             Set<String> produced, CompileProblems problems) {
        if (!s.columnNames().containsAll(greenKey)) {
            return null; // the missing key column is already reported where it is produced
        }
        int before = problems.count();
        checkKey(t, s, greenKey, problems);
        Set<String> keySet = new HashSet<>(greenKey);
        List<String> columns = new ArrayList<>(greenKey);
        for (ColumnSchema c : s.columns()) {
            boolean mine = keySet.contains(c.name()) || placement.home(c.name()) == t;
            if (mine && !keySet.contains(c.name())) {
                columns.add(c.name());
            }
            if (!mine && !c.nullable() && !c.hasDefault() && !c.generated()) {
                problems.add(t.location(), "green column " + t.table() + "." + c.name() + " is NOT NULL without a"
                        + " default, and the mapping gives it no value: map a blue column to it, add it with"
                        + " 'add: {" + c.name() + ": {value: ...}}' or 'expr', or give it a default in green");
            }
        }
        for (String listed : t.columns()) {
            if (!produced.contains(listed)) {
                problems.add(t.location(), "target column '" + listed + "' is not produced by the mapping"
                        + CompileProblems.didYouMean(listed, produced) + "; green columns produced: "
                        + new TreeSet<>(produced));
            }
        }
        if (problems.count() > before) {
            return null;
        }
        Map<String, ColumnType> types = new HashMap<>();
        columns.forEach(c -> types.put(c, s.column(c).orElseThrow().type()));
        return new TargetShape(t.table(), greenKey, columns, types);
    }

    private static void checkKey(TargetTable t, TableSchema s, List<String> greenKey, CompileProblems problems) {
        Set<String> keySet = new HashSet<>(greenKey);
        boolean keyed = new HashSet<>(s.primaryKey()).equals(keySet)
                || s.uniqueKeys().stream().anyMatch(u -> new HashSet<>(u).equals(keySet));
        if (!keyed) {
            problems.add(t.location(), "green table " + t.table() + " needs a primary key (or a unique index on NOT NULL"
                    + " columns) on exactly " + greenKey + ", the mapped blue key, so that INSERT ... ON CONFLICT finds"
                    + " the row; it has " + (s.primaryKey().isEmpty() ? "no primary key" : "primary key " + s.primaryKey())
                    + ". Fix: ALTER TABLE " + t.table() + " ADD PRIMARY KEY (" + String.join(", ", greenKey) + ")");
        }
    }
}
