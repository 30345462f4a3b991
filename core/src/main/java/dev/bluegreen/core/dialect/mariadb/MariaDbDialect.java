package dev.bluegreen.core.dialect.mariadb;

import dev.bluegreen.core.dialect.SqlDialect;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnType;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * MariaDB (MySQL family) statements: identifiers in backticks, a table as {@code `database`.`table`} (the
 * {@link TableId}'s schema is the database), upserts as {@code INSERT ... ON DUPLICATE KEY UPDATE c =
 * VALUES(c)}, parameters as plain {@code ?} (the driver sends typed values; MariaDB's {@code CAST} knows
 * only a few target types). String literals escape quotes and backslashes, which MariaDB reads as escapes
 * unless {@code NO_BACKSLASH_ESCAPES} is set (https://mariadb.com/kb/en/string-literals/); bluegreen's
 * own sessions never set it. Stateless, thread-safe.
 */
public final class MariaDbDialect implements SqlDialect {

    /** The shared instance. */
    public static final MariaDbDialect INSTANCE = new MariaDbDialect();

    private MariaDbDialect() {
    }

    @Override
    public String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    @Override
    public String literal(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 2).append('\'');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\'' -> sb.append("''");
                case '\\' -> sb.append("\\\\");
                case '\0' -> sb.append("\\0");
                default -> sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }

    @Override
    public String upsert(TableId table, List<String> keyColumns, List<String> columns, Map<String, ColumnType> types) {
        StringJoiner names = new StringJoiner(", ", "(", ")");
        StringJoiner params = new StringJoiner(", ", "(", ")");
        for (String c : columns) {
            names.add(quote(c));
            params.add("?");
        }
        StringJoiner sets = new StringJoiner(", ");
        for (String c : columns) {
            if (!keyColumns.contains(c)) {
                sets.add(quote(c) + " = VALUES(" + quote(c) + ")");
            }
        }
        if (sets.length() == 0) {
            return "INSERT IGNORE INTO " + table(table) + " " + names + " VALUES " + params;
        }
        return "INSERT INTO " + table(table) + " " + names + " VALUES " + params + " ON DUPLICATE KEY UPDATE " + sets;
    }

    @Override
    public String update(TableId table, List<String> keyColumns, List<String> setColumns, Map<String, ColumnType> types) {
        StringJoiner sets = new StringJoiner(", ");
        setColumns.forEach(c -> sets.add(quote(c) + " = ?"));
        return "UPDATE " + table(table) + " SET " + sets + " WHERE " + keyPredicate(keyColumns);
    }

    @Override
    public String delete(TableId table, List<String> keyColumns, Map<String, ColumnType> types) {
        return "DELETE FROM " + table(table) + " WHERE " + keyPredicate(keyColumns);
    }

    @Override
    public String truncate(TableId table) {
        return "TRUNCATE TABLE " + table(table);
    }

    private String keyPredicate(List<String> keyColumns) {
        StringJoiner where = new StringJoiner(" AND ");
        keyColumns.forEach(k -> where.add(quote(k) + " = ?"));
        return where.toString();
    }
}
