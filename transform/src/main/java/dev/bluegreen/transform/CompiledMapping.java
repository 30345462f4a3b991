package dev.bluegreen.transform;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.value.CanonicalValues;
import dev.bluegreen.transform.expr.Expressions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A mapping compiled by {@link MappingCompiler}: column rules, an optional filter and the target
 * shapes. Immutable and thread-safe; see {@link RowTransform} for the contract.
 */
public final class CompiledMapping implements RowTransform {

    private final TableId blueTable;
    private final List<String> blueKeyColumns;
    private final List<ColumnRule> rules;
    private final List<ColumnRule.Copy> keyRules;
    private final Expressions.Compiled filter;
    private final List<TargetShape> targets;

    CompiledMapping(TableId blueTable, List<String> blueKeyColumns, List<ColumnRule> rules,
                    List<ColumnRule.Copy> keyRules, Expressions.Compiled filter, List<TargetShape> targets) {
        this.blueTable = blueTable;
        this.blueKeyColumns = List.copyOf(blueKeyColumns);
        this.rules = List.copyOf(rules);
        this.keyRules = List.copyOf(keyRules);
        this.filter = filter;
        this.targets = List.copyOf(targets);
    }

    @Override
    public TableId blueTable() {
        return blueTable;
    }

    @Override
    public List<String> blueKeyColumns() {
        return blueKeyColumns;
    }

    @Override
    public List<TargetShape> targets() {
        return targets;
    }

    @Override
    public List<MappedRow> map(Row blueRow) {
        if (filter != null && !accepts(blueRow)) {
            return List.of();
        }
        Map<String, Object> green = new HashMap<>();
        for (ColumnRule rule : rules) {
            try {
                rule.apply(blueRow, green);
            } catch (RowConversionException e) {
                throw failure(blueRow, String.join(",", rule.outputs()), e);
            }
        }
        List<MappedRow> out = new ArrayList<>(targets.size());
        for (TargetShape t : targets) {
            out.add(new MappedRow(t.table(), shape(t, green, blueRow)));
        }
        return out;
    }

    @Override
    public List<MappedRow> mapKey(Row blueKey) {
        Map<String, Object> green = new HashMap<>();
        for (ColumnRule.Copy rule : keyRules) {
            try {
                rule.apply(blueKey, green);
            } catch (RowConversionException e) {
                throw failure(blueKey, rule.greenColumn(), e);
            }
        }
        List<MappedRow> out = new ArrayList<>(targets.size());
        for (TargetShape t : targets) {
            List<Object> values = new ArrayList<>(t.keyColumns().size());
            t.keyColumns().forEach(k -> values.add(green.get(k)));
            out.add(new MappedRow(t.table(), Row.of(t.keyColumns(), values)));
        }
        return out;
    }

    private boolean accepts(Row row) {
        if (filter.readsUnavailable(row)) {
            throw new RowConversionException(blueTable + " key " + key(row) + ": the filter '" + filter.text()
                    + "' reads a column whose unchanged TOAST value the change event does not carry; set"
                    + " REPLICA IDENTITY FULL on " + blueTable);
        }
        Object result;
        try {
            result = filter.evaluate(row);
        } catch (RowConversionException e) {
            throw failure(row, "filter", e);
        }
        if (!(result instanceof Boolean b)) {
            throw new RowConversionException(blueTable + " key " + key(row) + ": the filter '" + filter.text()
                    + "' returned " + CanonicalValues.format(result) + ", not true or false");
        }
        return b;
    }

    private Row shape(TargetShape t, Map<String, Object> green, Row blueRow) {
        List<Object> values = new ArrayList<>(t.columns().size());
        for (String c : t.columns()) {
            Object v = green.get(c);
            Optional<String> problem = CanonicalValues.checkFits(v, t.columnTypes().get(c));
            if (problem.isPresent()) {
                throw new RowConversionException(blueTable + " key " + key(blueRow) + ": green column " + t.table()
                        + "." + c + ": " + problem.get());
            }
            values.add(v);
        }
        return Row.of(t.columns(), values);
    }

    private RowConversionException failure(Row row, String column, RowConversionException cause) {
        return new RowConversionException(blueTable + " key " + key(row) + ", column " + column + ": "
                + cause.getMessage(), cause);
    }

    private String key(Row row) {
        List<String> present = blueKeyColumns.stream().filter(row::has).toList();
        return row.project(present).toString();
    }
}
