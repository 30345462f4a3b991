package dev.bluegreen.transform;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.value.Unavailable;
import dev.bluegreen.transform.cast.Cast;
import dev.bluegreen.transform.expr.Expressions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How one or more green columns get their values from the blue row. Sealed: the mapping kinds.
 * Every rule passes {@link Unavailable#VALUE} through when an input is unavailable. Immutable.
 */
sealed interface ColumnRule permits ColumnRule.Copy, ColumnRule.Split, ColumnRule.Merge, ColumnRule.Computed,
        ColumnRule.Constant {

    /** Green columns this rule writes. */
    List<String> outputs();

    /** Writes its outputs into {@code green}. */
    void apply(Row blue, Map<String, Object> green);

    /** A blue column copied (renamed, cast, widened) into one green column. */
    record Copy(String blueColumn, String greenColumn, Cast cast, Cast.Options options, ColumnType greenType)
            implements ColumnRule {
        @Override
        public List<String> outputs() {
            return List.of(greenColumn);
        }

        @Override
        public void apply(Row blue, Map<String, Object> green) {
            green.put(greenColumn, convert(blue.get(blueColumn)));
        }

        Object convert(Object v) {
            if (v == null || v == Unavailable.VALUE) {
                return v;
            }
            Object out = cast == null ? v : cast.apply(v, options);
            return Conversions.toCanonical(out, greenType);
        }
    }

    /** A text column split at a literal separator into several green columns. */
    record Split(String blueColumn, List<String> into, String separator) implements ColumnRule {
        @Override
        public List<String> outputs() {
            return into;
        }

        @Override
        public void apply(Row blue, Map<String, Object> green) {
            Object v = blue.get(blueColumn);
            if (v == null || v == Unavailable.VALUE) {
                into.forEach(c -> green.put(c, v));
                return;
            }
            if (!(v instanceof String s)) {
                throw new RowConversionException("column " + blueColumn + " is not text; only text can be split");
            }
            List<String> parts = new ArrayList<>();
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
            for (int i = 0; i < into.size(); i++) {
                green.put(into.get(i), i < parts.size() ? parts.get(i) : null);
            }
        }
    }

    /** Several blue columns joined into one green text column; NULL parts are skipped. */
    record Merge(List<String> blueColumns, String separator, String greenColumn, ColumnType greenType)
            implements ColumnRule {
        @Override
        public List<String> outputs() {
            return List.of(greenColumn);
        }

        @Override
        public void apply(Row blue, Map<String, Object> green) {
            List<String> parts = new ArrayList<>();
            for (String c : blueColumns) {
                Object v = blue.get(c);
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

    /** A green column computed by an expression over the blue row. */
    record Computed(Expressions.Compiled expression, String greenColumn, ColumnType greenType) implements ColumnRule {
        @Override
        public List<String> outputs() {
            return List.of(greenColumn);
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

    /** A constant (already canonical) for a new green column. */
    record Constant(String greenColumn, Object value) implements ColumnRule {
        @Override
        public List<String> outputs() {
            return List.of(greenColumn);
        }

        @Override
        public void apply(Row blue, Map<String, Object> green) {
            green.put(greenColumn, value);
        }
    }
}
