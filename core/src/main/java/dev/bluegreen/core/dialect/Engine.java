package dev.bluegreen.core.dialect;

import dev.bluegreen.core.config.EndpointConfig;
import dev.bluegreen.core.dialect.mariadb.MariaDbDialect;
import dev.bluegreen.core.dialect.postgres.PostgresDialect;

/**
 * The database engine behind an endpoint, told by its JDBC URL's scheme. Green is always PostgreSQL;
 * blue is PostgreSQL or MariaDB (the MySQL family, through MariaDB Connector/J and Debezium's MariaDB
 * connector). Immutable.
 */
public enum Engine {
    /** {@code jdbc:postgresql://host:port/database}. */
    POSTGRESQL("jdbc:postgresql://", "PostgreSQL"),
    /** {@code jdbc:mariadb://host:port/database}; the database is the schema of every blue table. */
    MARIADB("jdbc:mariadb://", "MariaDB");

    private final String urlPrefix;
    private final String displayName;

    Engine(String urlPrefix, String displayName) {
        this.urlPrefix = urlPrefix;
        this.displayName = displayName;
    }

    /** The URL prefix that names this engine, e.g. {@code jdbc:mariadb://}. */
    public String urlPrefix() {
        return urlPrefix;
    }

    /** The engine's name for messages. */
    public String displayName() {
        return displayName;
    }

    /** The dialect that quotes identifiers and literals for this engine. Stateless, thread-safe. */
    public SqlDialect dialect() {
        return this == POSTGRESQL ? PostgresDialect.INSTANCE : MariaDbDialect.INSTANCE;
    }

    /**
     * The engine of a JDBC URL, or null when no engine bluegreen supports matches it.
     */
    public static Engine ofUrl(String jdbcUrl) {
        for (Engine e : values()) {
            if (jdbcUrl != null && jdbcUrl.startsWith(e.urlPrefix)) {
                return e;
            }
        }
        return null;
    }

    /**
     * The engine of an endpoint.
     *
     * @throws IllegalArgumentException when the URL names no supported engine (the config binder rejects such
     *     URLs first, with the file and line)
     */
    public static Engine of(EndpointConfig endpoint) {
        Engine e = ofUrl(endpoint.jdbcUrl());
        if (e == null) {
            throw new IllegalArgumentException("unsupported JDBC URL " + endpoint.jdbcUrl());
        }
        return e;
    }
}
