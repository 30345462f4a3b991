package dev.bluegreen.cutover.parity.sql;

import dev.bluegreen.core.dialect.postgres.PostgresDialect;
import dev.bluegreen.core.dialect.postgres.PostgresValueBinder;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.value.Bytes;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * SQL fragments over a key (one or more columns) for keyset pagination and key lookups, with every
 * identifier quoted by {@link PostgresDialect} and every parameter cast to its column's type.
 * Stateless, thread-safe.
 */
public final class KeySql {

    private static final PostgresDialect D = PostgresDialect.INSTANCE;

    private KeySql() {
    }

    /** {@code "a", "b"} */
    public static String columns(List<String> names) {
        StringJoiner j = new StringJoiner(", ");
        names.forEach(n -> j.add(D.quote(n)));
        return j.toString();
    }

    /** {@code ("a", "b") > (CAST(? AS ta), CAST(? AS tb))}; parameters: the key values in order. */
    public static String after(List<String> key, Map<String, ColumnType> types) {
        return tuple(key) + " > " + params(key, types);
    }

    /** {@code ("a", "b") <= (CAST(? AS ta), CAST(? AS tb))}; parameters: the key values in order. */
    public static String atMost(List<String> key, Map<String, ColumnType> types) {
        return tuple(key) + " <= " + params(key, types);
    }

    /** {@code ORDER BY "a", "b"} */
    public static String orderBy(List<String> key) {
        return " ORDER BY " + columns(key);
    }

    /**
     * A predicate matching a list of keys, one array parameter per key column (see
     * {@link #bindKeyArrays}): {@code "a" = ANY(...)} for one column, else a join with {@code unnest}.
     */
    public static String inList(List<String> key, Map<String, ColumnType> types) {
        if (key.size() == 1) {
            return D.quote(key.get(0)) + " = ANY(" + arrayParam(types.get(key.get(0))) + ")";
        }
        StringJoiner arrays = new StringJoiner(", ");
        key.forEach(k -> arrays.add(arrayParam(types.get(k))));
        return tuple(key) + " IN (SELECT * FROM unnest(" + arrays + "))";
    }

    /**
     * Binds a key's values from {@code index} on.
     *
     * @return the next free parameter index
     */
    public static int bindKey(PreparedStatement ps, int index, Row key, List<String> columns,
                              Map<String, ColumnType> types) throws SQLException {
        int i = index;
        for (String c : columns) {
            PostgresValueBinder.bind(ps, i++, key.get(c), types.get(c));
        }
        return i;
    }

    /**
     * Binds one text array per key column, each holding that column of every key in PostgreSQL's input
     * form; {@link #inList} casts them to the column types.
     *
     * @return the next free parameter index
     */
    public static int bindKeyArrays(PreparedStatement ps, int index, List<Row> keys, List<String> columns)
            throws SQLException {
        Connection c = ps.getConnection();
        int i = index;
        for (String col : columns) {
            String[] texts = new String[keys.size()];
            for (int k = 0; k < texts.length; k++) {
                texts[k] = inputText(keys.get(k).get(col));
            }
            ps.setArray(i++, c.createArrayOf("text", texts));
        }
        return i;
    }

    /**
     * A key value in PostgreSQL's text input form.
     *
     * @throws IllegalArgumentException for NULL or an array (keys hold neither)
     */
    static String inputText(Object v) {
        if (v == null || v instanceof List<?>) {
            throw new IllegalArgumentException("key values must be scalar and not NULL, got " + v);
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof Instant i) {
            return i.toString();
        }
        if (v instanceof Bytes b) {
            return b.toString();
        }
        return v.toString();
    }

    private static String tuple(List<String> key) {
        return "(" + columns(key) + ")";
    }

    private static String params(List<String> key, Map<String, ColumnType> types) {
        StringJoiner j = new StringJoiner(", ", "(", ")");
        key.forEach(k -> j.add("CAST(? AS " + type(types, k).sqlName() + ")"));
        return j.toString();
    }

    private static String arrayParam(ColumnType t) {
        return "CAST(? AS " + t.sqlName() + "[])";
    }

    private static ColumnType type(Map<String, ColumnType> types, String column) {
        ColumnType t = types.get(column);
        if (t == null) {
            throw new IllegalArgumentException("no type known for key column '" + column + "'");
        }
        return t;
    }
}
