package dev.bluegreen.core.dialect.postgres;

import dev.bluegreen.core.dialect.SqlDialect;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnType;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * PostgreSQL statements: {@code INSERT ... ON CONFLICT (key) DO UPDATE SET c = EXCLUDED.c}, deletes
 * and updates by key, with each parameter written as {@code CAST(? AS type)}. Stateless,
 * thread-safe.
 */
public final class PostgresDialect implements SqlDialect {

    /** The shared instance. */
    public static final PostgresDialect INSTANCE = new PostgresDialect();

    private PostgresDialect() {
    }

    @Override
    public String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /**
     * A string literal for SQL text that cannot take a parameter (COPY, DO blocks, SET): the value in single
     * quotes, quotes doubled. Relies on {@code standard_conforming_strings = on} (PostgreSQL's default since
     * 9.1), under which backslashes are not escapes.
     */
    @Override
    public String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    @Override
    public String upsert(TableId table, List<String> keyColumns, List<String> columns, Map<String, ColumnType> types) {
        StringJoiner names = new StringJoiner(", ", "(", ")");
        StringJoiner params = new StringJoiner(", ", "(", ")");
        for (String c : columns) {
            names.add(quote(c));
            params.add(param(c, types));
        }
        StringJoiner keys = new StringJoiner(", ", "(", ")");
        keyColumns.forEach(k -> keys.add(quote(k)));
        StringJoiner sets = new StringJoiner(", ");
        for (String c : columns) {
            if (!keyColumns.contains(c)) {
                sets.add(quote(c) + " = EXCLUDED." + quote(c));
            }
        }
        String onConflict = sets.length() == 0 ? " DO NOTHING" : " DO UPDATE SET " + sets;
        return "INSERT INTO " + table(table) + " " + names + " VALUES " + params + " ON CONFLICT " + keys + onConflict;
    }

    @Override
    public String update(TableId table, List<String> keyColumns, List<String> setColumns, Map<String, ColumnType> types) {
        StringJoiner sets = new StringJoiner(", ");
        setColumns.forEach(c -> sets.add(quote(c) + " = " + param(c, types)));
        return "UPDATE " + table(table) + " SET " + sets + " WHERE " + keyPredicate(keyColumns, types);
    }

    @Override
    public String delete(TableId table, List<String> keyColumns, Map<String, ColumnType> types) {
        return "DELETE FROM " + table(table) + " WHERE " + keyPredicate(keyColumns, types);
    }

    @Override
    public String truncate(TableId table) {
        return "TRUNCATE TABLE " + table(table);
    }

    private String keyPredicate(List<String> keyColumns, Map<String, ColumnType> types) {
        StringJoiner where = new StringJoiner(" AND ");
        keyColumns.forEach(k -> where.add(quote(k) + " = " + param(k, types)));
        return where.toString();
    }

    private static String param(String column, Map<String, ColumnType> types) {
        ColumnType t = types.get(column);
        if (t == null) {
            throw new IllegalArgumentException("no type known for column '" + column + "'");
        }
        return "CAST(? AS " + t.sqlName() + ")";
    }
}
