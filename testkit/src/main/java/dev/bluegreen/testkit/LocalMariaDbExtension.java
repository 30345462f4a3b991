package dev.bluegreen.testkit;

import static java.util.Objects.requireNonNull;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that runs one {@link LocalMariaDb} server for a test class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static LocalMariaDbExtension blue = new LocalMariaDbExtension("blue");
 * }</pre>
 *
 * <p>The server starts before the first test of the class and stops (its data folder deleted)
 * after the last one, whether the tests passed or not; should the test JVM exit abnormally, the
 * shutdown hook of {@link LocalMariaDb} stops it. Register it on a {@code static} field: on an
 * instance field the callbacks for a whole class never fire.
 *
 * <p>Thread-safety: the server reference is published safely (volatile); JUnit calls the
 * callbacks from one thread at a time.
 */
public final class LocalMariaDbExtension implements BeforeAllCallback, AfterAllCallback {

    private final String name;
    private volatile LocalMariaDb mariaDb;

    /**
     * @param name label for the server's data folder, see {@link LocalMariaDb#start(String)}
     */
    public LocalMariaDbExtension(String name) {
        this.name = requireNonNull(name, "name is null");
    }

    /**
     * Starts the server.
     *
     * @throws IllegalStateException if the server does not start or is already running
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        if (mariaDb != null) {
            throw new IllegalStateException("local MariaDB '" + name + "' is already running: " + mariaDb
                    + "; register the extension once per test class, on a static field");
        }
        mariaDb = LocalMariaDb.start(name);
    }

    /**
     * Stops the server and deletes its data folder; does nothing if it never started.
     *
     * @throws IllegalStateException if the server fails to stop
     */
    @Override
    public void afterAll(ExtensionContext context) {
        LocalMariaDb running = mariaDb;
        mariaDb = null;
        if (running != null) {
            running.close();
        }
    }

    /**
     * @return the running server
     * @throws IllegalStateException if called outside the test class's lifetime
     */
    public LocalMariaDb mariaDb() {
        LocalMariaDb running = mariaDb;
        if (running == null) {
            throw new IllegalStateException("local MariaDB '" + name
                    + "' is not running: use it only inside tests of the class that registers it (static field)");
        }
        return running;
    }

    /**
     * @return the port of the running server on 127.0.0.1
     * @throws IllegalStateException if the server is not running
     */
    public int port() {
        return mariaDb().port();
    }

    /**
     * @param database database name
     * @return the JDBC URL of that database on the running server
     * @throws IllegalStateException if the server is not running
     */
    public String jdbcUrl(String database) {
        return mariaDb().jdbcUrl(database);
    }
}
