package dev.bluegreen.cutover.parity.sql;

import dev.bluegreen.core.dialect.mariadb.MariaDbDialect;
import dev.bluegreen.core.dialect.mariadb.MariaDbValueBinder;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.schema.ColumnType;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * {@link KeySql}'s fragments for a MariaDB blue: backticked identifiers, plain {@code ?} parameters (typed by
 * {@link MariaDbValueBinder}), row constructors for composite keys ({@code (a, b) > (?, ?)},
 * {@code (a, b) IN ((?, ?), ...)}), which MariaDB compares in column order like PostgreSQL. Stateless,
 * thread-safe.
 */
public final class MariaDbKeySql {

    private static final MariaDbDialect D = MariaDbDialect.INSTANCE;

    private MariaDbKeySql() {
    }

    /** {@code `a`, `b`} */
    public static String columns(List<String> names) {
        StringJoiner j = new StringJoiner(", ");
        names.forEach(n -> j.add(D.quote(n)));
        return j.toString();
    }

    /** {@code (`a`, `b`) > (?, ?)}; parameters: the key values in order. */
    public static String after(List<String> key) {
        return "(" + columns(key) + ") > " + params(key.size());
    }

    /** {@code (`a`, `b`) <= (?, ?)}; parameters: the key values in order. */
    public static String atMost(List<String> key) {
        return "(" + columns(key) + ") <= " + params(key.size());
    }

    /** {@code ORDER BY `a`, `b`} */
    public static String orderBy(List<String> key) {
        return " ORDER BY " + columns(key);
    }

    /**
     * A predicate matching {@code keys} keys: {@code `a` IN (?, ...)} for one column, else {@code (`a`, `b`) IN
     * ((?, ?), ...)}; parameters: {@link #bindKeys}.
     */
    public static String inList(List<String> key, int keys) {
        StringJoiner list = new StringJoiner(", ", "(", ")");
        String one = key.size() == 1 ? "?" : params(key.size());
        for (int i = 0; i < keys; i++) {
            list.add(one);
        }
        return (key.size() == 1 ? D.quote(key.get(0)) : "(" + columns(key) + ")") + " IN " + list;
    }

    /**
     * Binds one key's values from {@code index} on.
     *
     * @return the next free parameter index
     */
    public static int bindKey(PreparedStatement ps, int index, Row key, List<String> columns,
                              Map<String, ColumnType> types) throws SQLException {
        int i = index;
        for (String c : columns) {
            MariaDbValueBinder.bind(ps, i++, key.get(c), types.get(c));
        }
        return i;
    }

    /**
     * Binds every key of an {@link #inList}, key after key.
     *
     * @return the next free parameter index
     */
    public static int bindKeys(PreparedStatement ps, int index, List<Row> keys, List<String> columns,
                               Map<String, ColumnType> types) throws SQLException {
        int i = index;
        for (Row k : keys) {
            i = bindKey(ps, i, k, columns, types);
        }
        return i;
    }

    private static String params(int n) {
        StringJoiner j = new StringJoiner(", ", "(", ")");
        for (int i = 0; i < n; i++) {
            j.add("?");
        }
        return j.toString();
    }
}
