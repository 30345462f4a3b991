package dev.bluegreen.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PgBouncer (Debian's package, installed on first use) on a private port, in front of one
 * database, started with {@code deploy/local/pgbouncer.sh}: transaction pooling, trust auth, admin user
 * {@code postgres}, config in {@code <folder>/pgbouncer.ini}. Clients must use {@link #jdbcUrl} (it turns
 * server-side prepared statements off, which transaction pooling in PgBouncer 1.18 cannot carry).
 * {@link #close()} stops it, also from a shutdown hook. Thread-safe.
 */
public final class LocalPgBouncer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalPgBouncer.class);
    private static final String SCRIPT = "deploy/local/pgbouncer.sh";
    private static final String FOLDER_PREFIX = "pgbouncer-";

    private final Path script;
    private final Path dir;
    private final int port;
    private final String database;
    private final Thread hook;
    private volatile boolean closed;

    private LocalPgBouncer(Path script, Path dir, int port, String database) {
        this.script = script;
        this.dir = dir;
        this.port = port;
        this.database = database;
        this.hook = new Thread(this::stop, "pgbouncer-stop-" + port);
    }

    /**
     * Starts PgBouncer with one database entry {@code database} pointing at {@code upstream}'s {@code dbname},
     * its folder {@code target/it-servers/pgbouncer-<port>} under the project root.
     *
     * @param users login roles besides {@code postgres} that clients may connect as (PgBouncer's trust
     *     authentication still requires each name in its auth file)
     * @throws IllegalStateException when the project root cannot be found or the script fails (its output
     *     is in the message)
     */
    public static LocalPgBouncer start(String database, LocalPostgres upstream, String dbname, String... users) {
        Path root = LocalPostgres.projectRoot();
        return start(database, upstream, dbname, root.resolve("target").resolve("it-servers"), root, users);
    }

    /**
     * Starts PgBouncer as {@link #start(String, LocalPostgres, String, String...)} does, with its folder
     * {@code <serversDir>/pgbouncer-<port>} and the script taken from {@code projectRoot} (the demo's case).
     *
     * @param serversDir parent of PgBouncer's folder, created when missing
     * @param projectRoot the folder holding {@code deploy/local/pgbouncer.sh}
     * @throws IllegalStateException when the script fails (its output is in the message)
     */
    public static LocalPgBouncer start(String database, LocalPostgres upstream, String dbname, Path serversDir,
                                       Path projectRoot, String... users) {
        Path script = projectRoot.resolve(SCRIPT);
        int port = freePort();
        Path dir = serversDir.resolve(FOLDER_PREFIX + port);
        List<String> args = new ArrayList<>(List.of("start", dir.toString(), Integer.toString(port), database,
                "127.0.0.1", Integer.toString(upstream.port()), dbname));
        args.addAll(List.of(users));
        String out = run(script, args.toArray(String[]::new));
        LocalPgBouncer b = new LocalPgBouncer(script, dir, port, database);
        Runtime.getRuntime().addShutdownHook(b.hook);
        LOG.info("{}", out.strip());
        return b;
    }

    /**
     * Stops every PgBouncer whose folder ({@code pgbouncer-<port>}) is in {@code serversDir}, e.g. the ones
     * a demo run with {@code --keep} left behind. Problems are logged, not thrown.
     *
     * @param projectRoot the folder holding {@code deploy/local/pgbouncer.sh}
     */
    public static void stopAll(Path serversDir, Path projectRoot) {
        if (!Files.isDirectory(serversDir)) {
            return;
        }
        Path script = projectRoot.resolve(SCRIPT);
        try (java.util.stream.Stream<Path> dirs = Files.list(serversDir)) {
            for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith(FOLDER_PREFIX)).toList()) {
                try {
                    run(script, "stop", dir.toString());
                } catch (RuntimeException e) {
                    LOG.warn("could not stop PgBouncer in {}: {}", dir, e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.warn("could not list {} to stop PgBouncers left running there: {}", serversDir, e.getMessage());
        }
    }

    /**
     * Leaves PgBouncer running when this JVM exits (the demo's {@code --keep}): removes the shutdown hook.
     * {@link #close()} still stops it. Idempotent.
     */
    public void keepRunning() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: the hook runs (or ran) anyway
        }
    }

    /** PgBouncer's folder: ini, auth file, pid and log. */
    public Path folder() {
        return dir;
    }

    /** The port PgBouncer listens on (127.0.0.1). */
    public int port() {
        return port;
    }

    /** The ini file (the cutover's PgBouncer router rewrites its [databases] line). */
    public Path configFile() {
        return dir.resolve("pgbouncer.ini");
    }

    /** JDBC URL of the pooled database, with {@code prepareThreshold=0}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?prepareThreshold=0";
    }

    /**
     * Runs one admin console command with psql (PgJDBC cannot talk to PgBouncer 1.18's console: it sends
     * {@code SET extra_float_digits}, which the console rejects).
     *
     * @return the rows of a SHOW command: column name to value (empty for other commands)
     * @throws IllegalStateException when psql fails (its output is in the message)
     */
    public List<java.util.Map<String, String>> admin(String command) {
        String out = runProgram(List.of("psql", "-X", "-q", "-A", "-F", "\t", "-P", "footer=off", "-h", "127.0.0.1", "-p",
                Integer.toString(port), "-U", "postgres", "-d", "pgbouncer", "-c", command));
        List<java.util.Map<String, String>> rows = new ArrayList<>();
        String[] lines = out.split("\n");
        if (lines.length == 0 || lines[0].isBlank()) {
            return rows;
        }
        String[] header = lines[0].split("\t", -1);
        for (int i = 1; i < lines.length; i++) {
            String[] values = lines[i].split("\t", -1);
            java.util.Map<String, String> row = new java.util.LinkedHashMap<>();
            for (int c = 0; c < header.length && c < values.length; c++) {
                row.put(header[c], values[c]);
            }
            rows.add(row);
        }
        return rows;
    }

    /** The {@code SHOW DATABASES} row of the pooled database. */
    public java.util.Map<String, String> showDatabase() {
        return admin("SHOW DATABASES").stream().filter(r -> database.equals(r.get("name"))).findFirst()
                .orElseThrow(() -> new IllegalStateException("PgBouncer has no database " + database));
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: the hook runs stop() itself
        }
    }

    private void stop() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            run(script, "stop", dir.toString());
            LOG.info("stopped PgBouncer on 127.0.0.1:{}", port);
        } catch (RuntimeException e) {
            LOG.warn("could not stop PgBouncer in {}: {}", dir, e.getMessage());
        }
    }

    private static String run(Path script, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        return runProgram(command);
    }

    private static String runProgram(List<String> command) {
        try {
            Path log = Files.createTempFile("pgbouncer-sh-", ".log");
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                p.getOutputStream().close();
                if (!p.waitFor(10, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(command + " did not finish within 10 minutes");
                }
                String out = Files.readString(log, StandardCharsets.UTF_8);
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(command + " failed with exit code " + p.exitValue() + ":\n" + out);
                }
                return out;
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }
}
