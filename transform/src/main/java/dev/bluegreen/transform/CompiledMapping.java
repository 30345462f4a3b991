package dev.bluegreen.transform;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.value.CanonicalValues;
import dev.bluegreen.core.value.Unavailable;
import dev.bluegreen.transform.expr.RowExpression;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One blue table's mapping compiled by {@link MappingCompiler}: its column rules, an optional row
 * filter and the target shapes. Immutable, pure and deterministic, safe to share between threads; see
 * {@link RowTransform} for the contract.
 *
 * <p>Every value written is checked against its green column with
 * {@link CanonicalValues#checkFits} (integer range, text length, numeric precision and scale), on the
 * row path and on the key path alike, so that {@link #mapKey} fails exactly where {@link #map} does.
 */
public final class CompiledMapping implements RowTransform {

    private final TableId blueTable;
    private final List<String> blueKeyColumns;
    private final List<ColumnRule> rules;
    private final List<ColumnRule.Copy> keyRules;
    private final RowExpression filter;
    private final List<TargetShape> targets;
    private final Map<String, ColumnType> greenTypes = new HashMap<>();
    private final Map<String, TableId> greenHomes = new HashMap<>();
    /** Per target, in {@link #targets} order: the layout of its columns, and of its key columns. */
    private final List<Row.Layout> rowLayouts;
    private final List<Row.Layout> keyLayouts;

    /**
     * @param keyRules one copy rule per blue key column, in key order (they are also among {@code rules})
     * @param filter the row filter, or {@code null} for none
     */
    CompiledMapping(TableId blueTable, List<String> blueKeyColumns, List<ColumnRule> rules,
                    List<ColumnRule.Copy> keyRules, RowExpression filter, List<TargetShape> targets) {
        this.blueTable = requireNonNull(blueTable, "blueTable is null");
        this.blueKeyColumns = List.copyOf(blueKeyColumns);
        this.rules = List.copyOf(rules);
        this.keyRules = List.copyOf(keyRules);
        this.filter = filter;
        this.targets = List.copyOf(targets);
        this.rowLayouts = this.targets.stream().map(t -> Row.Layout.of(t.columns())).toList();
        this.keyLayouts = this.targets.stream().map(t -> Row.Layout.of(t.keyColumns())).toList();
        if (this.blueKeyColumns.isEmpty() || this.keyRules.size() != this.blueKeyColumns.size() || this.targets.isEmpty()) {
            throw new IllegalArgumentException(blueTable + ": needs a key rule per key column and at least one target");
        }
        for (TargetShape t : this.targets) {
            greenTypes.putAll(t.columnTypes());
            t.columns().forEach(c -> greenHomes.putIfAbsent(c, t.table()));
        }
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
        requireNonNull(blueRow, "blueRow is null");
        checkKey(blueRow);
        if (filter != null && !accepts(blueRow)) {
            return List.of();
        }
        return rows(run(rules, blueRow), rowLayouts);
    }

    @Override
    public List<MappedRow> mapKey(Row blueKey) {
        requireNonNull(blueKey, "blueKey is null");
        checkKey(blueKey);
        return rows(run(keyRules, blueKey), keyLayouts);
    }

    /** Applies rules in order, checking each output against its green column. */
    private Map<String, Object> run(List<? extends ColumnRule> toRun, Row blue) {
        Map<String, Object> green = new HashMap<>();
        for (ColumnRule rule : toRun) {
            try {
                rule.apply(blue, green);
            } catch (RowConversionException e) {
                throw failure(blue, rule, String.join(", ", rule.outputs()), e.getMessage(), e);
            }
            for (String out : rule.outputs()) {
                Optional<String> misfit = CanonicalValues.checkFits(green.get(out), greenTypes.get(out));
                if (misfit.isPresent()) {
                    throw failure(blue, rule, out, misfit.get(), null);
                }
            }
        }
        return green;
    }

    /** One row per target, in {@link #targets} order, of the given layouts (the targets' columns or keys). */
    private List<MappedRow> rows(Map<String, Object> green, List<Row.Layout> layouts) {
        List<MappedRow> out = new ArrayList<>(targets.size());
        for (int t = 0; t < targets.size(); t++) {
            Row.Layout layout = layouts.get(t);
            List<String> columns = layout.columns();
            Object[] values = new Object[columns.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = green.get(columns.get(i));
            }
            out.add(new MappedRow(targets.get(t).table(), Row.of(layout, java.util.Arrays.asList(values))));
        }
        return out;
    }

    private void checkKey(Row row) {
        for (String k : blueKeyColumns) {
            Object v = ColumnRule.read(row, k);
            if (v == null || v == Unavailable.VALUE) {
                throw new RowConversionException(blueTable + " key " + key(row) + ": key column " + k + " is "
                        + (v == null ? "NULL" : "an unchanged TOAST value the event does not carry")
                        + "; a key column must always hold a value (check the table's key and replica identity)");
            }
        }
    }

    private boolean accepts(Row row) {
        if (filter.readsUnavailable(row)) {
            throw new RowConversionException(blueTable + " key " + key(row) + ": the filter '" + filter.text()
                    + "' reads a column whose unchanged TOAST value the change event does not carry (" + filter.inputs(row)
                    + "); set REPLICA IDENTITY FULL on " + blueTable + " so every update carries every column");
        }
        Object result;
        try {
            result = filter.evaluate(row);
        } catch (RowConversionException e) {
            throw new RowConversionException(blueTable + " key " + key(row) + ": filter: " + e.getMessage(), e);
        }
        if (!(result instanceof Boolean b)) {
            throw new RowConversionException(blueTable + " key " + key(row) + ": the filter '" + filter.text()
                    + "' returned " + CanonicalValues.format(result) + ", not true or false (" + filter.inputs(row) + ")");
        }
        return b;
    }

    private RowConversionException failure(Row blue, ColumnRule rule, String output, String reason, Throwable cause) {
        String target = output.contains(", ") ? output : greenHomes.get(output) + "." + output;
        String message = blueTable + " key " + key(blue) + ": " + rule.source() + " -> " + target + ", input "
                + rule.inputs(blue) + ": " + reason;
        return cause == null ? new RowConversionException(message) : new RowConversionException(message, cause);
    }

    private String key(Row row) {
        return row.project(blueKeyColumns.stream().filter(row::has).toList()).toString();
    }

    @Override
    public String toString() {
        return "CompiledMapping[" + blueTable + " -> " + targets.stream().map(TargetShape::table).toList() + "]";
    }
}
