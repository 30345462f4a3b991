package dev.bluegreen.transform;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.value.CanonicalValues;
import dev.bluegreen.core.value.Unavailable;
import dev.bluegreen.transform.cast.Cast;
import dev.bluegreen.transform.expr.RowExpression;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How one or more green columns get their values from the blue row; the closed set of mapping kinds.
 * Every rule whose input is {@link Unavailable#VALUE} writes {@link Unavailable#VALUE} (the sink then
 * leaves that green column as it is). Rules are immutable and thread-safe; {@link #apply} only writes
 * into the map it is given.
 */
sealed interface ColumnRule permits ColumnRule.Copy, ColumnRule.Split, ColumnRule.Merge, ColumnRule.Computed,
        ColumnRule.Constant {

    /** Green columns this rule writes, in order. */
    List<String> outputs();

    /** Where the values come from, for messages: {@code column amount (cast minor-units)}. */
    String source();

    /** The blue inputs and their values in this row, for messages: {@code amount=12.345}. */
    String inputs(Row blue);

    /**
     * Writes every output into {@code green}, each converted to its green column's canonical class.
     *
     * @throws RowConversionException when a value cannot be converted (reason and value in the message)
     */
    void apply(Row blue, Map<String, Object> green);

    /** Reads a blue column, failing as a row problem (not a bug) when the row does not carry it. */
    static Object read(Row blue, String column) {
        if (!blue.has(column)) {
            throw new RowConversionException("the blue row has no column '" + column + "' (it has " + blue.columns()
                    + "); did blue's schema change? Restart so the mapping is checked against it again");
        }
        return blue.get(column);
    }

    /** A blue column copied into one green column: renamed, cast or widened. */
    record Copy(String blueColumn, String greenColumn, Cast cast, Cast.Options options, ColumnType greenType)
            implements ColumnRule {
        public Copy {
            requireNonNull(blueColumn, "blueColumn is null");
            requireNonNull(greenColumn, "greenColumn is null");
            requireNonNull(options, "options is null");
            requireNonNull(greenType, "greenType is null");
        }

        @Override
        public List<String> outputs() {
            return List.of(greenColumn);
        }

        @Override
        public String source() {
            return "column " + blueColumn + (cast == null ? "" : " (cast " + cast.configName() + ")");
        }

        @Override
        public String inputs(Row blue) {
            return blueColumn + "=" + (blue.has(blueColumn) ? CanonicalValues.format(blue.get(blueColumn)) : "(absent)");
        }

        @Override
        public void apply(Row blue, Map<String, Object> green) {
            Object v = read(blue, blueColumn);
            if (v == null || v == Unavailable.VALUE) {
                green.put(greenColumn, v);
                return;
            }
            green.put(greenColumn, Conversions.toCanonical(cast == null ? v : cast.apply(v, options), greenType));
        }
    }

    /**
     * A text column split at a literal separator into N green columns (at most N parts: the last keeps
     * any further separators); missing parts are NULL, a NULL input makes every part NULL.
     */
    record Split(String blueColumn, List<String> into, String separator) implements ColumnRule {
        public Split {
            requireNonNull(blueColumn, "blueColumn is null");
            into = List.copyOf(into);
            requireNonNull(separator, "separator is null");
            if (into.size() < 2 || separator.isEmpty()) {
                throw new IllegalArgumentException("a split needs two or more parts and a non-empty separator");
            }
        }

        @Override
        public List<String> outputs() {
            return into;
        }

        @Override
        public String source() {
            return "column " + blueColumn + " (split at " + CanonicalValues.format(separator) + ")";
        }

        @Override
        public String inputs(Row blue) {
            return blueColumn + "=" + (blue.has(blueColumn) ? CanonicalValues.format(blue.get(blueColumn)) : "(absent)");
        }

        @Override
        public void apply(Row blue, Map<String, Object> green) {
            Object v = read(blue, blueColumn);
            if (v == null || v == Unavailable.VALUE) {
                into.forEach(c -> green.put(c, v));
                return;
            }
            if (!(v instanceof String s)) {
                throw new RowConversionException("value " + CanonicalValues.format(v) + " is not text; only text can be split");
            }
            List<String> parts = parts(s);
            for (int i = 0; i < into.size(); i++) {
                green.put(into.get(i), i < parts.size() ? parts.get(i) : null);
            }
        }

        private List<String> parts(String s) {
            List<String> parts = new ArrayList<>(into.size());
            int from = 0;
            while (parts.size() < into.size() - 1) {
                int at = s.indexOf(separator, from);
                if (at < 0) {
                    break;
                }
                parts.add(s.substring(from, at));
                from = at + separator.length();
            }
            parts.add(s.substring(from));
            return parts;
        }
    }

    /** Blue columns joined, in order, by a separator into one green text column; NULL parts are skipped. */
    record Merge(List<String> blueColumns, String separator, String greenColumn, ColumnType greenType)
            implements ColumnRule {
        public Merge {
            blueColumns = List.copyOf(blueColumns);
            requireNonNull(separator, "separator is null");
            requireNonNull(greenColumn, "greenColumn is null");
            requireNonNull(greenType, "greenType is null");
        }

        @Override
        public List<String> outputs() {
            return List.of(greenColumn);
        }

        @Override
        public String source() {
            return "merge of " + blueColumns;
        }

        @Override
        public String inputs(Row blue) {
            List<String> parts = new ArrayList<>();
            blueColumns.forEach(c -> parts.add(c + "=" + (blue.has(c) ? CanonicalValues.format(blue.get(c)) : "(absent)")));
            return String.join(", ", parts);
        }

        @Override
        public void apply(Row blue, Map<String, Object> green) {
            List<String> parts = new ArrayList<>();
            for (String c : blueColumns) {
                Object v = read(blue, c);
                if (v == Unavailable.VALUE) {
                    green.put(greenColumn, Unavailable.VALUE);
                    return;
                }
                if (v != null) {
                    parts.add(Conversions.text(v));
                }
            }
            green.put(greenColumn, parts.isEmpty() ? null
                    : Conversions.toCanonical(String.join(separator, parts), greenType));
        }
    }

    /** A green column computed by an expression over the blue row; its result converted exactly. */
    record Computed(RowExpression expression, String greenColumn, ColumnType greenType) implements ColumnRule {
        public Computed {
            requireNonNull(expression, "expression is null");
            requireNonNull(greenColumn, "greenColumn is null");
            requireNonNull(greenType, "greenType is null");
        }

        @Override
        public List<String> outputs() {
            return List.of(greenColumn);
        }

        @Override
        public String source() {
            return "expression '" + expression.text() + "'";
        }

        @Override
        public String inputs(Row blue) {
            return expression.inputs(blue);
        }

        @Override
        public void apply(Row blue, Map<String, Object> green) {
            if (expression.readsUnavailable(blue)) {
                green.put(greenColumn, Unavailable.VALUE);
                return;
            }
            green.put(greenColumn, Conversions.toCanonical(expression.evaluate(blue), greenType));
        }
    }

    /** A constant, already canonical and checked against its green column at compile time. */
    record Constant(String greenColumn, Object value) implements ColumnRule {
        public Constant {
            requireNonNull(greenColumn, "greenColumn is null");
        }

        @Override
        public List<String> outputs() {
            return List.of(greenColumn);
        }

        @Override
        public String source() {
            return "constant " + CanonicalValues.format(value);
        }

        @Override
        public String inputs(Row blue) {
            return "none";
        }

        @Override
        public void apply(Row blue, Map<String, Object> green) {
            green.put(greenColumn, value);
        }
    }
}
