package dev.bluegreen.testkit;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private, throwaway MariaDB server for integration tests, started from the operating system's
 * binaries by {@code deploy/local/mariadb.sh} on a free port of 127.0.0.1 with a row-based binary
 * log and GTIDs ({@code binlog_format=ROW}, {@code binlog_row_image=FULL}, {@code server_id=1}),
 * utf8mb4 with {@code utf8mb4_unicode_ci}, time zone {@code +00:00}, and superuser {@code root}
 * with an empty password. The binary log starts empty: the script's own grants are not logged.
 *
 * <p>The data folder is {@code <project root>/target/it-servers/<name>-<port>}, the server's
 * datadir itself (binary log, socket, pid file and {@code server.log} inside it); {@link #close()}
 * stops the server and deletes it. A JVM shutdown hook stops the server too, should the test JVM
 * exit without closing it; the servers of a JVM killed outright (SIGKILL, a fork timeout) are
 * stopped by the next {@link #start(String)} in the same project, which finds their owner file
 * {@code <data folder>.mariadb-owner} naming a dead process. (Not {@code .owner}: that is
 * {@link LocalPostgres}'s, whose reaper would delete the folder of a MariaDB server it cannot stop.)
 *
 * <p>Thread-safety: all methods may be called from any thread; {@link #close()} is idempotent.
 * Each JDBC method opens and closes its own connection.
 */
public final class LocalMariaDb implements AutoCloseable {

    /** The superuser of every local server, from 127.0.0.1 over TCP as from the socket. */
    public static final String SUPERUSER = "root";

    /** {@link #SUPERUSER}'s password: empty. */
    public static final String PASSWORD = "";

    private static final Logger LOG = LoggerFactory.getLogger(LocalMariaDb.class);
    private static final String SCRIPT = "deploy/local/mariadb.sh";
    private static final String OWNER_SUFFIX = ".mariadb-owner";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,40}");
    private static final Pattern DATABASE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    private static final Duration CLIENT_TIMEOUT = Duration.ofMinutes(30);

    private final String name;
    private final int port;
    private final Path dataDir;
    private final Path binDir;
    private final ServerLifecycle lifecycle;

    private LocalMariaDb(String name, int port, Path dataDir, ServerScript script, Path binDir) {
        this.name = name;
        this.port = port;
        this.dataDir = dataDir;
        this.binDir = binDir;
        this.lifecycle = new ServerLifecycle(script, dataDir, "local-mariadb-" + name + "-" + port + "-stop");
    }

    /**
     * Starts a new server on a free port of 127.0.0.1, in a new data folder
     * {@code target/it-servers/<name>-<port>} under the project root. Retries with another port
     * when the chosen one is taken between the check and the server's bind.
     *
     * <p>Blocks until root can log in over TCP: about a second normally, minutes when the script
     * first has to install MariaDB.
     *
     * @param name short label for the data folder and log lines, {@code [A-Za-z0-9_-]{1,40}}
     * @return the running server; the caller must {@link #close()} it
     * @throws IllegalArgumentException if the name is not a valid label
     * @throws IllegalStateException if the project root or script cannot be found, or the server
     *     does not start (the message includes the script's output and the tail of the server log)
     */
    public static LocalMariaDb start(String name) {
        Path root = ServerScript.projectRoot(SCRIPT);
        return start(name, root.resolve("target").resolve("it-servers"), root);
    }

    /**
     * Starts a new server as {@link #start(String)} does, with its data folder under
     * {@code serversDir} and the script taken from {@code projectRoot}.
     *
     * @param serversDir parent of the server's data folder, created when missing
     * @param projectRoot the folder holding {@code deploy/local/mariadb.sh}
     * @throws IllegalArgumentException if the name is not a valid label
     * @throws IllegalStateException if the script is missing or the server does not start
     */
    public static LocalMariaDb start(String name, Path serversDir, Path projectRoot) {
        requireNonNull(name, "name is null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must match " + NAME.pattern() + ", got '" + name + "'");
        }
        ServerScript script = new ServerScript(projectRoot.resolve(SCRIPT), OWNER_SUFFIX, "MariaDB");
        if (!Files.isRegularFile(script.path())) {
            throw new IllegalStateException("cannot start local MariaDB: " + script.path() + " does not exist");
        }
        return script.start(name, serversDir,
                (port, dataDir, binDir) -> new LocalMariaDb(name, port, dataDir, script, binDir),
                server -> server.lifecycle.shutdownHook());
    }

    /** @return the label given to {@link #start(String)} */
    public String name() {
        return name;
    }

    /** @return the TCP port on 127.0.0.1 the server listens on */
    public int port() {
        return port;
    }

    /** @return the server's data folder, its datadir (deleted by {@link #close()}) */
    public Path dataDir() {
        return dataDir;
    }

    /** @return the directory of the client programs {@code mariadb}, {@code mariadb-dump}, {@code mariadb-binlog} */
    public Path binDir() {
        return binDir;
    }

    /** @return {@link #SUPERUSER} */
    public String user() {
        return SUPERUSER;
    }

    /** @return {@link #PASSWORD}, empty */
    public String password() {
        return PASSWORD;
    }

    /**
     * @param database database name, or empty for no default database; not validated
     * @return {@code jdbc:mariadb://127.0.0.1:PORT/DATABASE} (MariaDB Connector/J); connect as
     *     {@link #SUPERUSER} with an empty password
     */
    public String jdbcUrl(String database) {
        requireNonNull(database, "database is null");
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + database;
    }

    /**
     * Opens a new connection as {@link #SUPERUSER}, in auto-commit mode, one statement per
     * {@code execute}.
     *
     * @param database database to connect to, or empty for none
     * @return a connection the caller must close
     * @throws SQLException if the connection fails (10 s connect timeout)
     */
    public Connection connect(String database) throws SQLException {
        return connect(database, false);
    }

    /**
     * Drops the database if it exists (first killing the other sessions using it, so that the drop
     * waits for no lock) and creates it empty, in the server's utf8mb4 / utf8mb4_unicode_ci.
     *
     * @param database name, {@code [A-Za-z_][A-Za-z0-9_]{0,63}} (case-sensitive: the server keeps
     *     {@code lower_case_table_names=0})
     * @return the JDBC URL of the new database
     * @throws IllegalArgumentException if the name is not a plain identifier
     * @throws SQLException if the statements fail
     */
    public String createDatabase(String database) throws SQLException {
        requireNonNull(database, "database is null");
        if (!DATABASE.matcher(database).matches()) {
            throw new IllegalArgumentException(
                    "database must match " + DATABASE.pattern() + ", got '" + database + "'");
        }
        try (Connection connection = connect(""); Statement statement = connection.createStatement()) {
            for (long session : sessionsUsing(connection, database)) {
                try {
                    statement.execute("KILL CONNECTION " + session);
                } catch (SQLException e) {
                    // 1094 unknown thread: the session ended by itself meanwhile
                    if (e.getErrorCode() != 1094) {
                        throw e;
                    }
                }
            }
            statement.execute("DROP DATABASE IF EXISTS `" + database + "`");
            statement.execute("CREATE DATABASE `" + database + "`");
        }
        return jdbcUrl(database);
    }

    /**
     * Runs SQL (one or more statements separated by semicolons, no results read) in auto-commit
     * mode on a new connection. Each statement commits on its own (unlike PostgreSQL's one
     * implicit transaction); the first failing one stops the rest.
     *
     * @param database database to run in, or empty for none
     * @param sql statements
     * @throws SQLException if connecting or any statement fails
     */
    public void execute(String database, String sql) throws SQLException {
        requireNonNull(sql, "sql is null");
        try (Connection connection = connect(database, true); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /**
     * Loads an SQL file with the {@code mariadb} client in batch mode, the file on its standard input,
     * as the way to load dataset dumps (which may hold {@code DELIMITER} and other client commands).
     * Stops at the first error. Blocks for up to 30 minutes. The client reads no option file and
     * talks utf8mb4.
     *
     * @param database default database, or empty for none (for dumps that {@code CREATE} and
     *     {@code USE} their own, such as Chinook's {@code Chinook_MySql.sql})
     * @param file SQL file
     * @throws IllegalStateException if the client exits non-zero or times out (the message holds
     *     the tail of its output, e.g. {@code ERROR 1146 (42S02) at line 2: Table ... doesn't exist})
     * @throws UncheckedIOException if the client cannot be run
     */
    public void mariadbFile(String database, Path file) {
        requireNonNull(database, "database is null");
        requireNonNull(file, "file is null");
        // --no-defaults must come first; no --force, so the first error ends the run with exit code 1
        List<String> command = new ArrayList<>(List.of(binDir.resolve("mariadb").toString(), "--no-defaults",
                "--protocol=TCP", "--host=127.0.0.1", "--port=" + port, "--user=" + SUPERUSER,
                "--default-character-set=utf8mb4", "--connect-timeout=10", "--batch"));
        if (!database.isEmpty()) {
            command.add("--database=" + database);
        }
        Path output = null;
        try {
            output = Files.createTempFile("mariadb-" + name + "-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(file.toAbsolutePath().toFile()).redirectOutput(output.toFile());
            builder.environment().remove("MYSQL_PWD"); // would be sent as root's password
            Process process = builder.start();
            int exitCode = ServerScript.waitFor(process, CLIENT_TIMEOUT);
            if (exitCode != 0) {
                throw new IllegalStateException("mariadb < " + file + " on database '" + database + "' failed with exit code "
                        + exitCode + (exitCode == -1 ? " (timed out after " + CLIENT_TIMEOUT + ")" : "")
                        + "; last output:\n" + ServerScript.tail(Files.readString(output, StandardCharsets.UTF_8), 30));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command + " < " + file, e);
        } finally {
            ServerScript.deleteQuietly(output);
        }
    }

    /**
     * Stops the server (a clean shutdown) and deletes its data folder. Idempotent.
     *
     * @throws IllegalStateException if the script fails to stop the server (the data folder is
     *     then kept for inspection)
     */
    @Override
    public void close() {
        if (lifecycle.close()) {
            LOG.info("stopped MariaDB '{}' on 127.0.0.1:{}", name, port);
        }
    }

    /**
     * Leaves the server running when this JVM exits: removes the shutdown hook. {@link #close()}
     * still stops it; once this JVM is gone, the next {@link #start(String, Path, Path)} or
     * {@link #stopOrphans(Path, Path)} on the same servers folder stops and deletes it. Idempotent.
     */
    public void keepRunning() {
        lifecycle.keepRunning();
    }

    /**
     * Stops and deletes the MariaDB servers in {@code serversDir} whose starting JVM is gone; servers
     * of live JVMs, and other kinds of servers, are left alone. Problems are logged, not thrown.
     *
     * @param projectRoot the folder holding {@code deploy/local/mariadb.sh}
     */
    public static void stopOrphans(Path serversDir, Path projectRoot) {
        new ServerScript(projectRoot.resolve(SCRIPT), OWNER_SUFFIX, "MariaDB").reapOrphans(serversDir);
    }

    @Override
    public String toString() {
        return "LocalMariaDb[" + name + " on 127.0.0.1:" + port + ", data " + dataDir + "]";
    }

    private Connection connect(String database, boolean multiQueries) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", SUPERUSER);
        props.setProperty("password", PASSWORD);
        props.setProperty("connectTimeout", "10000"); // milliseconds in Connector/J
        if (multiQueries) {
            props.setProperty("allowMultiQueries", "true");
        }
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    private static List<Long> sessionsUsing(Connection connection, String database) throws SQLException {
        List<Long> sessions = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement("SELECT ID FROM information_schema.PROCESSLIST"
                + " WHERE BINARY DB = ? AND ID <> CONNECTION_ID()")) {
            query.setString(1, database);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    sessions.add(rs.getLong(1));
                }
            }
        }
        return sessions;
    }
}
