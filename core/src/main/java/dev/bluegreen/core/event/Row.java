package dev.bluegreen.core.event;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable row: column names in a fixed order, each with a canonical value (see
 * {@link dev.bluegreen.core.value.CanonicalValues}) or {@code null} for SQL NULL.
 *
 * <p>Equality compares names in order and values with {@link Objects#equals}; canonical values are
 * chosen so that this is the parity notion of "same value" (e.g. {@code BigDecimal} 1.50 and 1.5
 * differ, as they do in a {@code numeric} column that keeps scale). Thread-safe.
 */
public final class Row {

    private final List<String> columns;
    private final List<Object> values;
    private final Map<String, Integer> index;

    private Row(List<String> columns, List<Object> values) {
        this(Layout.of(columns), values);
    }

    private Row(Layout layout, List<Object> values) {
        if (layout.columns.size() != values.size()) {
            throw new IllegalArgumentException(
                    "row has " + layout.columns.size() + " columns but " + values.size() + " values");
        }
        this.columns = layout.columns;
        this.values = Collections.unmodifiableList(new ArrayList<>(values));
        this.index = layout.index;
    }

    /**
     * Column names with their positions, computed once and shared by every row built from it (a row
     * otherwise builds its own name index; bulk paths such as the backfill build millions of rows with
     * the same columns). Immutable and thread-safe.
     */
    public static final class Layout {
        private final List<String> columns;
        private final Map<String, Integer> index;

        private Layout(List<String> columns) {
            this.columns = List.copyOf(columns);
            Map<String, Integer> idx = new HashMap<>();
            for (int i = 0; i < this.columns.size(); i++) {
                if (idx.put(this.columns.get(i), i) != null) {
                    throw new IllegalArgumentException("duplicate column '" + this.columns.get(i) + "' in row");
                }
            }
            this.index = idx;
        }

        /**
         * The layout of these column names, in order.
         *
         * @throws IllegalArgumentException when a name repeats
         */
        public static Layout of(List<String> columns) {
            requireNonNull(columns, "columns is null");
            return new Layout(columns);
        }

        /** The column names, in order. */
        public List<String> columns() {
            return columns;
        }
    }

    /** Builds a row from parallel lists; values may hold {@code null}. */
    public static Row of(List<String> columns, List<Object> values) {
        requireNonNull(columns, "columns is null");
        requireNonNull(values, "values is null");
        return new Row(columns, values);
    }

    /**
     * Builds a row of a precomputed layout (the values are copied).
     *
     * @throws IllegalArgumentException when the value count differs from the layout's column count
     */
    public static Row of(Layout layout, List<Object> values) {
        requireNonNull(layout, "layout is null");
        requireNonNull(values, "values is null");
        return new Row(layout, values);
    }

    /** Builds a row from an ordered map (insertion order is column order); values may be null. */
    public static Row of(Map<String, ?> ordered) {
        requireNonNull(ordered, "ordered is null");
        return new Row(new ArrayList<>(ordered.keySet()), new ArrayList<>(ordered.values()));
    }

    /** Convenience for tests and literals: {@code Row.of("a", 1L, "b", "x")}. */
    public static Row ofPairs(Object... pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("pairs must alternate name, value");
        }
        List<String> names = new ArrayList<>();
        List<Object> vals = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            names.add((String) pairs[i]);
            vals.add(pairs[i + 1]);
        }
        return new Row(names, vals);
    }

    public static Row empty() {
        return new Row(List.of(), List.of());
    }

    /** Column names in order. */
    public List<String> columns() {
        return columns;
    }

    /** Values in column order; elements may be {@code null}. */
    public List<Object> values() {
        return values;
    }

    public int size() {
        return columns.size();
    }

    public boolean has(String column) {
        return index.containsKey(column);
    }

    /**
     * The value of a column.
     *
     * @throws IllegalArgumentException when the row has no such column
     */
    public Object get(String column) {
        Integer i = index.get(column);
        if (i == null) {
            throw new IllegalArgumentException("row has no column '" + column + "' (has " + columns + ")");
        }
        return values.get(i);
    }

    /** The sub-row of the given columns, in the given order. */
    public Row project(List<String> names) {
        List<Object> vals = new ArrayList<>(names.size());
        for (String n : names) {
            vals.add(get(n));
        }
        return new Row(names, vals);
    }

    /** A copy as an ordered, mutable map (values may be null). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            m.put(columns.get(i), values.get(i));
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Row other)) {
            return false;
        }
        if (!columns.equals(other.columns) || values.size() != other.values.size()) {
            return false;
        }
        for (int i = 0; i < values.size(); i++) {
            if (!valueEquals(values.get(i), other.values.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean valueEquals(Object a, Object b) {
        if (a instanceof Object[] x && b instanceof Object[] y) {
            return Arrays.deepEquals(x, y);
        }
        return Objects.equals(a, b);
    }

    @Override
    public int hashCode() {
        return Objects.hash(columns, values);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(columns.get(i)).append('=').append(dev.bluegreen.core.value.CanonicalValues.format(values.get(i)));
        }
        return sb.append('}').toString();
    }
}
