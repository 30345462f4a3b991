package dev.bluegreen.core.dialect;

import dev.bluegreen.core.dialect.mariadb.MariaDbCatalog;
import dev.bluegreen.core.dialect.postgres.PostgresCatalog;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.TableSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * What bluegreen reads from any engine's catalog: a table's definition and its row estimate. One instance
 * per connection, which the caller owns; not thread-safe.
 */
public interface Catalog {

    /**
     * The table's columns (canonical kinds), primary key and NOT NULL unique keys, or empty when no table
     * of that name exists.
     *
     * @throws SQLException when the catalog cannot be read
     */
    Optional<TableSchema> table(TableId id) throws SQLException;

    /**
     * The engine's own row estimate for the table (rows; statistics, not a count), 0 for a table never
     * analysed, -1 when there is no such table.
     *
     * @throws SQLException when the catalog cannot be read
     */
    long estimateRows(TableId id) throws SQLException;

    /** The catalog of the given engine, read through {@code connection}. */
    static Catalog of(Engine engine, Connection connection) {
        return engine == Engine.POSTGRESQL ? new PostgresCatalog(connection) : new MariaDbCatalog(connection);
    }
}
