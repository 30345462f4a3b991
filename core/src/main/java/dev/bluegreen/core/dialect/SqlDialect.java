package dev.bluegreen.core.dialect;

import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnType;
import java.util.List;
import java.util.Map;

/**
 * Builds the sink's statements for one database engine. Every identifier is quoted through
 * {@link #quote}; every parameter is a {@code ?} cast to its column's type. Implementations are
 * stateless and thread-safe.
 */
public interface SqlDialect {

    /** Quotes an identifier (column, table or schema name). */
    String quote(String identifier);

    /**
     * A string literal for SQL text that cannot take a parameter (COPY, chunk bounds inlined into a plan): the
     * value quoted and escaped so that the engine reads back exactly {@code value}.
     */
    String literal(String value);

    /** The quoted, schema-qualified table name. */
    default String table(TableId id) {
        return quote(id.schema()) + "." + quote(id.name());
    }

    /**
     * An insert that updates the non-key columns when the key exists (does nothing when every
     * column is a key column). Parameters: {@code columns} in order.
     */
    String upsert(TableId table, List<String> keyColumns, List<String> columns, Map<String, ColumnType> types);

    /** An update of {@code setColumns} by key. Parameters: {@code setColumns}, then {@code keyColumns}. */
    String update(TableId table, List<String> keyColumns, List<String> setColumns, Map<String, ColumnType> types);

    /** A delete by key. Parameters: {@code keyColumns}. */
    String delete(TableId table, List<String> keyColumns, Map<String, ColumnType> types);

    /** Removes every row of the table. */
    String truncate(TableId table);

    /**
     * A key-ordered select of {@code columns}; used for full comparisons.
     */
    default String selectOrdered(TableId table, List<String> columns, List<String> keyColumns) {
        StringBuilder sb = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            sb.append(i > 0 ? ", " : "").append(quote(columns.get(i)));
        }
        sb.append(" FROM ").append(table(table)).append(" ORDER BY ");
        for (int i = 0; i < keyColumns.size(); i++) {
            sb.append(i > 0 ? ", " : "").append(quote(keyColumns.get(i)));
        }
        return sb.toString();
    }
}
