package dev.bluegreen.core.endpoint;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.bluegreen.core.config.EndpointConfig;
import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.dialect.mariadb.MariaDbValueReader;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Connection pools (HikariCP) for the blue and green endpoints. Pools are thread-safe; the caller
 * closes them. A MariaDB pool's sessions run with {@code time_zone = '+00:00'}.
 */
public final class Endpoints {

    private Endpoints() {
    }

    /**
     * Opens a pool and checks one connection.
     *
     * @param poolName shown in logs and thread names, e.g. {@code demo-green}
     * @param maxSize most connections (connections)
     * @param code the error code used when the server cannot be reached
     * @throws BluegreenException when the first connection fails; the message names the URL and user
     */
    public static HikariDataSource pool(EndpointConfig endpoint, String poolName, int maxSize, ErrorCode code) {
        return pool(endpoint, poolName, maxSize, 1, code);
    }

    /**
     * As {@link #pool(EndpointConfig, String, int, ErrorCode)}, keeping at least {@code minIdle} connections open
     * (HikariCP opens them in the background right after the start): for work that must not wait 10-20 ms for a new
     * connection later, such as the cutover's freeze.
     *
     * @param minIdle connections kept open, at most {@code maxSize}
     */
    public static HikariDataSource pool(EndpointConfig endpoint, String poolName, int maxSize, int minIdle,
                                        ErrorCode code) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName(poolName);
        hc.setJdbcUrl(endpoint.jdbcUrl());
        hc.setUsername(endpoint.user());
        hc.setPassword(endpoint.password());
        hc.setMaximumPoolSize(maxSize);
        hc.setMinimumIdle(Math.min(minIdle, maxSize));
        hc.setConnectionTimeout(10_000);
        hc.setInitializationFailTimeout(-1);
        if (Engine.ofUrl(endpoint.jdbcUrl()) == Engine.POSTGRESQL) {
            hc.addDataSourceProperty("reWriteBatchedInserts", "true");
            hc.addDataSourceProperty("ApplicationName", "bluegreen-" + poolName);
        } else {
            // MariaDbValueReader and MariaDbValueBinder take timestamp columns as UTC wall-clock times
            hc.setConnectionInitSql(MariaDbValueReader.SESSION_TIME_ZONE);
        }
        HikariDataSource ds = new HikariDataSource(hc);
        try (Connection c = ds.getConnection()) {
            c.isValid(5);
        } catch (SQLException e) {
            ds.close();
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new BluegreenException(code, "cannot connect to " + endpoint.jdbcUrl() + " as " + endpoint.user()
                    + ": " + root.getMessage() + "; check that the server is up and the URL, user and password", e);
        }
        return ds;
    }
}
