package dev.bluegreen.testkit;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code deploy/local/*.sh} server script ({@code start DATADIR PORT}, {@code stop DATADIR}) and
 * the owner files beside its data folders: {@code <data folder><ownerSuffix>} holds the pid of the
 * JVM that started the server, so that a later start can stop the servers of JVMs killed outright.
 * Shared by {@link LocalPostgres} and {@link LocalMariaDb}.
 *
 * <p>Each kind of server needs its own owner suffix: a reaper stops an orphan with its own script,
 * which finds no server of its kind in another kind's folder, succeeds, and would then delete that
 * folder under the other server still running.
 *
 * <p>Thread-safety: immutable; every method may be called from any thread.
 */
final class ServerScript {

    private static final Logger LOG = LoggerFactory.getLogger(ServerScript.class);
    /** Generous: the first start may install the server with apt-get. */
    private static final Duration TIMEOUT = Duration.ofMinutes(20);

    private final Path script;
    private final String ownerSuffix;
    private final String serverKind;

    /**
     * @param script the script's path
     * @param ownerSuffix suffix of the owner files, unique to this kind of server
     * @param serverKind the server's name for log lines, e.g. {@code MariaDB}
     */
    ServerScript(Path script, String ownerSuffix, String serverKind) {
        this.script = requireNonNull(script, "script is null");
        this.ownerSuffix = requireNonNull(ownerSuffix, "ownerSuffix is null");
        this.serverKind = requireNonNull(serverKind, "serverKind is null");
    }

    Path path() {
        return script;
    }

    /**
     * The folder holding {@code scriptPath}: the system property {@link LocalPostgres#PROJECT_ROOT_PROPERTY},
     * else the first of user.dir and its parents that has it.
     *
     * @throws IllegalStateException if neither names a folder holding the script
     */
    static Path projectRoot(String scriptPath) {
        String property = System.getProperty(LocalPostgres.PROJECT_ROOT_PROPERTY);
        if (property != null && !property.isBlank()) {
            Path root = Path.of(property).toAbsolutePath().normalize();
            if (!Files.isRegularFile(root.resolve(scriptPath))) {
                throw new IllegalStateException("system property " + LocalPostgres.PROJECT_ROOT_PROPERTY + "="
                        + property + " does not name the project root: " + root.resolve(scriptPath) + " does not exist");
            }
            return root;
        }
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(scriptPath))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the project root: no " + scriptPath + " in " + start
                + " or its parents; set -D" + LocalPostgres.PROJECT_ROOT_PROPERTY + "=<folder holding deploy/>");
    }

    /** @throws UncheckedIOException if no port can be bound */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("could not find a free TCP port on 127.0.0.1", e);
        }
    }

    /** Runs the script, stdout and stderr merged; exit code -1 on timeout or interrupt. */
    Result run(String... args) {
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.add(script.toString());
        command.addAll(List.of(args));
        Path output = null;
        try {
            output = Files.createTempFile(script.getFileName() + "-", ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            process.getOutputStream().close();
            int exitCode = waitFor(process, TIMEOUT);
            return new Result(exitCode, Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command, e);
        } finally {
            deleteQuietly(output);
        }
    }

    /** @throws IllegalStateException if the script exits non-zero (its output is in the message) */
    String runOrThrow(String... args) {
        Result result = run(args);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(script + " " + String.join(" ", args) + " failed with exit code "
                    + result.exitCode() + "; its output:\n" + result.output());
        }
        return result.output();
    }

    /** Builds the object for a server the script started: its port, data folder and the script's bindir. */
    @FunctionalInterface
    interface Server<T> {
        T create(int port, Path dataDir, Path binDir);
    }

    /** Attempts at starting a server, each on a new free port, when another process took the port first. */
    static final int START_ATTEMPTS = 5;

    /**
     * Stops the orphans in {@code serversDir}, then starts a server named {@code name} there on a free port of
     * 127.0.0.1 (data folder {@code <name>-<port>}, with its owner file), retrying on a new port while the
     * server reports "Address already in use" (another process took the port between the check and the bind,
     * {@value #START_ATTEMPTS} attempts). The server object gets {@code hook} as a JVM shutdown hook; should
     * anything after the start fail (the JVM shutting down, say), the server is stopped and its folder deleted.
     *
     * @throws IllegalStateException when the server does not start (the script's last output in the message)
     */
    <T> T start(String name, Path serversDir, Server<T> server, Function<T, Thread> hook) {
        long startNanos = System.nanoTime();
        reapOrphans(serversDir);
        String lastOutput = "";
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port = freePort();
            Path dataDir = serversDir.resolve(name + "-" + port);
            writeOwnerFile(dataDir);
            Result result = run("start", dataDir.toString(), Integer.toString(port));
            if (result.exitCode() == 0) {
                T started;
                try {
                    started = server.create(port, dataDir, Path.of(lastLine(runOrThrow("bindir"))));
                    Runtime.getRuntime().addShutdownHook(hook.apply(started));
                } catch (RuntimeException e) {
                    // includes the JVM shutting down (addShutdownHook): nobody would stop this server
                    stopAndDelete(dataDir);
                    throw e;
                }
                LOG.info("{} ({} ms)", result.output().strip(),
                        Duration.ofNanos(System.nanoTime() - startNanos).toMillis());
                return started;
            }
            lastOutput = result.output();
            stopAndDelete(dataDir);
            // the server's own words, which the script prints from its log on failure
            if (!lastOutput.contains("Address already in use")) {
                break;
            }
            LOG.info("port {} was taken before {} '{}' could bind it (attempt {} of {}); retrying", port, serverKind,
                    name, attempt, START_ATTEMPTS);
        }
        throw new IllegalStateException("could not start local " + serverKind + " '" + name + "' with " + script
                + "; its output:\n" + lastOutput);
    }

    /** Stops the server and deletes its folder and owner file; on failure logs and keeps the folder. */
    void stopAndDelete(Path dataDir) {
        Result result = run("stop", dataDir.toString());
        if (result.exitCode() == 0) {
            deleteTree(dataDir);
            deleteQuietly(ownerFile(dataDir));
        } else {
            LOG.warn("could not stop {} in {} (kept for inspection): {}", serverKind, dataDir, result.output().strip());
        }
    }

    /**
     * Stops and deletes the servers in {@code serversDir} whose owning JVM is gone (killed without running
     * its shutdown hooks, or a kept demo's). Servers of live JVMs are left alone. Problems are logged.
     */
    void reapOrphans(Path serversDir) {
        if (!Files.isDirectory(serversDir)) {
            return;
        }
        List<Path> ownerFiles;
        try (Stream<Path> paths = Files.list(serversDir)) {
            ownerFiles = paths.filter(path -> path.getFileName().toString().endsWith(ownerSuffix)).toList();
        } catch (IOException e) {
            LOG.warn("could not list {} to stop {} servers of dead JVMs", serversDir, serverKind, e);
            return;
        }
        for (Path ownerFile : ownerFiles) {
            String fileName = ownerFile.getFileName().toString();
            Path dataDir = ownerFile.resolveSibling(fileName.substring(0, fileName.length() - ownerSuffix.length()));
            try {
                long owner = Long.parseLong(Files.readString(ownerFile, StandardCharsets.UTF_8).strip());
                if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                LOG.warn("stopping {} in {}: the JVM that started it (pid {}) is gone", serverKind, dataDir, owner);
                stopAndDelete(dataDir);
            } catch (IOException | NumberFormatException | UncheckedIOException e) {
                LOG.warn("could not check or stop the orphaned {} in {}", serverKind, dataDir, e);
            }
        }
    }

    /** {@code <dataDir><ownerSuffix>}: the pid of the JVM that started the server. */
    Path ownerFile(Path dataDir) {
        return dataDir.resolveSibling(dataDir.getFileName() + ownerSuffix);
    }

    /** Writes this JVM's pid to the owner file, creating the servers folder when missing. */
    void writeOwnerFile(Path dataDir) {
        try {
            Files.createDirectories(dataDir.getParent());
            Files.writeString(ownerFile(dataDir), ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + ownerFile(dataDir), e);
        }
    }

    /** Waits for the process; on timeout or interrupt kills it and returns -1 (restoring the flag). */
    static int waitFor(Process process, Duration timeout) {
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        return -1;
    }

    static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
    }

    /** @throws UncheckedIOException if a file cannot be deleted */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir, e);
        }
    }

    static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debug("could not delete {}", file, e);
        }
    }

    /** The script's exit code (-1 on timeout) and its merged stdout and stderr. */
    record Result(int exitCode, String output) {
        Result {
            requireNonNull(output, "output is null");
        }
    }
}
