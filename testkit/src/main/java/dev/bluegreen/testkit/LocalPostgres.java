package dev.bluegreen.testkit;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private, throwaway PostgreSQL server for integration tests, started from the operating
 * system's binaries by {@code deploy/local/postgres.sh} on a free port of 127.0.0.1 with
 * {@code wal_level=logical}, superuser {@code postgres} and trust authentication.
 *
 * <p>The data folder is {@code <project root>/target/it-servers/<name>-<port>}; {@link #close()}
 * stops the server and deletes it. A JVM shutdown hook stops the server too, should the test JVM
 * exit without closing it; the servers of a JVM killed outright (SIGKILL, a fork timeout) are
 * stopped by the next {@link #start(String)} in the same project, which finds their owner file
 * {@code <data folder>.owner} naming a dead process.
 *
 * <p>Thread-safety: all methods may be called from any thread; {@link #close()} is idempotent.
 * Each JDBC method opens and closes its own connection.
 */
public final class LocalPostgres implements AutoCloseable {

    /** System property naming the project root (the folder holding {@code deploy/}). */
    public static final String PROJECT_ROOT_PROPERTY = "bluegreen.project.root";

    /** The superuser of every local server; trust authentication, no password. */
    public static final String SUPERUSER = "postgres";

    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);
    private static final String SCRIPT = "deploy/local/postgres.sh";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,40}");
    private static final Pattern DATABASE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    /** Generous: the first start may install PostgreSQL with apt-get. */
    private static final Duration PSQL_TIMEOUT = Duration.ofMinutes(30);
    private static final String OWNER_SUFFIX = ".owner";

    private final String name;
    private final int port;
    private final Path dataDir;
    private final Path binDir;
    private final ServerLifecycle lifecycle;

    private LocalPostgres(String name, int port, Path dataDir, ServerScript script, Path binDir) {
        this.name = name;
        this.port = port;
        this.dataDir = dataDir;
        this.binDir = binDir;
        this.lifecycle = new ServerLifecycle(script, dataDir, "local-postgres-" + name + "-" + port + "-stop");
    }

    /**
     * Starts a new server on a free port of 127.0.0.1, in a new data folder
     * {@code target/it-servers/<name>-<port>} under the project root. Retries with another port
     * when the chosen one is taken between the check and the server's bind.
     *
     * <p>Blocks until the server accepts connections: under a second normally, minutes when the
     * script first has to install PostgreSQL.
     *
     * @param name short label for the data folder and log lines, {@code [A-Za-z0-9_-]{1,40}}
     * @return the running server; the caller must {@link #close()} it
     * @throws IllegalArgumentException if the name is not a valid label
     * @throws IllegalStateException if the project root or script cannot be found, or the server
     *     does not start (the message includes the script's output and the tail of the server log)
     */
    public static LocalPostgres start(String name) {
        Path root = projectRoot();
        return start(name, root.resolve("target").resolve("it-servers"), root);
    }

    /**
     * Starts a new server as {@link #start(String)} does, with its data folder under
     * {@code serversDir} and the script taken from {@code projectRoot} (the demo's case).
     *
     * @param serversDir parent of the server's data folder, created when missing
     * @param projectRoot the folder holding {@code deploy/local/postgres.sh}
     * @throws IllegalArgumentException if the name is not a valid label
     * @throws IllegalStateException if the script is missing or the server does not start
     */
    public static LocalPostgres start(String name, Path serversDir, Path projectRoot) {
        requireNonNull(name, "name is null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must match " + NAME.pattern() + ", got '" + name + "'");
        }
        Path scriptPath = projectRoot.resolve(SCRIPT);
        if (!Files.isRegularFile(scriptPath)) {
            throw new IllegalStateException("cannot start local PostgreSQL: " + scriptPath + " does not exist; run"
                    + " bluegreen from its own folder (the launcher sets -Dbluegreen.home)");
        }
        ServerScript script = script(projectRoot);
        return script.start(name, serversDir,
                (port, dataDir, binDir) -> new LocalPostgres(name, port, dataDir, script, binDir),
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

    /** @return the server's data folder (deleted by {@link #close()}) */
    public Path dataDir() {
        return dataDir;
    }

    /** @return the PostgreSQL bin directory holding {@code psql}, {@code pgbench}, {@code pg_ctl} */
    public Path binDir() {
        return binDir;
    }

    /**
     * @param database database name; not validated (quoting is the caller's affair)
     * @return {@code jdbc:postgresql://127.0.0.1:PORT/DATABASE}; connect as {@link #SUPERUSER}
     *     without a password
     */
    public String jdbcUrl(String database) {
        requireNonNull(database, "database is null");
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /**
     * Opens a new connection as {@link #SUPERUSER}, in auto-commit mode.
     *
     * @param database database to connect to
     * @return a connection the caller must close
     * @throws SQLException if the connection fails
     */
    public Connection connect(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", SUPERUSER);
        props.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    /**
     * Drops the database if it exists (forcibly, disconnecting its sessions) and creates it empty.
     *
     * @param database name, {@code [A-Za-z_][A-Za-z0-9_]{0,62}}
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
        try (Connection connection = connect("postgres"); Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
            statement.execute("CREATE DATABASE \"" + database + "\"");
        }
        return jdbcUrl(database);
    }

    /**
     * Runs SQL (one or more statements separated by semicolons, no results read) in auto-commit
     * mode on a new connection.
     *
     * @param database database to run in
     * @param sql statements
     * @throws SQLException if connecting or any statement fails
     */
    public void execute(String database, String sql) throws SQLException {
        requireNonNull(sql, "sql is null");
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /**
     * Loads an SQL file with {@code psql -v ON_ERROR_STOP=1 -q -f FILE}, as the way to load dataset
     * dumps (which use psql meta-commands such as {@code COPY ... FROM stdin}). Stops at the first
     * error. Blocks for up to 30 minutes.
     *
     * @param database database to run in
     * @param file SQL file
     * @throws IllegalStateException if psql exits non-zero or times out (the message holds the
     *     tail of its output)
     * @throws UncheckedIOException if psql cannot be run
     */
    public void psqlFile(String database, Path file) {
        requireNonNull(database, "database is null");
        requireNonNull(file, "file is null");
        List<String> command = List.of(binDir.resolve("psql").toString(),
                "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", SUPERUSER, "-d", database,
                "-X", "-v", "ON_ERROR_STOP=1", "-q", "-f", file.toAbsolutePath().toString());
        Path output = null;
        try {
            output = Files.createTempFile("psql-" + name + "-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().put("PGCONNECT_TIMEOUT", "10");
            Process process = builder.start();
            process.getOutputStream().close();
            int exitCode = ServerScript.waitFor(process, PSQL_TIMEOUT);
            if (exitCode != 0) {
                throw new IllegalStateException("psql " + file + " on database " + database + " failed with exit code "
                        + exitCode + (exitCode == -1 ? " (timed out after " + PSQL_TIMEOUT + ")" : "")
                        + "; last output:\n" + ServerScript.tail(Files.readString(output, StandardCharsets.UTF_8), 30));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command, e);
        } finally {
            ServerScript.deleteQuietly(output);
        }
    }

    /**
     * Stops the server (fast shutdown) and deletes its data folder. Idempotent.
     *
     * @throws IllegalStateException if the script fails to stop the server (the data folder is
     *     then kept for inspection)
     */
    @Override
    public void close() {
        if (lifecycle.close()) {
            LOG.info("stopped PostgreSQL '{}' on 127.0.0.1:{}", name, port);
        }
    }

    /**
     * Leaves the server running when this JVM exits (the demo's {@code --keep}): removes the shutdown
     * hook. {@link #close()} still stops it; once this JVM is gone, the next {@link #start(String, Path, Path)}
     * or {@link #stopOrphans(Path, Path)} on the same servers folder stops and deletes it. Idempotent.
     */
    public void keepRunning() {
        lifecycle.keepRunning();
    }

    /**
     * Stops and deletes the servers in {@code serversDir} whose starting JVM is gone (a kept demo's, or a
     * killed test JVM's); servers of live JVMs are left alone. Problems are logged, not thrown.
     *
     * @param projectRoot the folder holding {@code deploy/local/postgres.sh}
     */
    public static void stopOrphans(Path serversDir, Path projectRoot) {
        script(projectRoot).reapOrphans(serversDir);
    }

    @Override
    public String toString() {
        return "LocalPostgres[" + name + " on 127.0.0.1:" + port + ", data " + dataDir + "]";
    }

    /** The folder holding {@code deploy/local/postgres.sh}: the system property, else up from user.dir. */
    static Path projectRoot() {
        return ServerScript.projectRoot(SCRIPT);
    }

    /** The script of the project at {@code projectRoot}; owner files {@code <data folder>.owner}. */
    private static ServerScript script(Path projectRoot) {
        return new ServerScript(projectRoot.resolve(SCRIPT), OWNER_SUFFIX, "PostgreSQL");
    }
}
