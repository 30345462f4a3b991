package dev.bluegreen.bench.anchor;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka Connect worker in standalone mode ({@code org.apache.kafka.connect.cli.ConnectStandalone}) run
 * as its own JVM, with no connector at start and its REST API on a free port of 127.0.0.1; connectors
 * are created through the REST API. Files in {@code dir}: {@code worker.properties}, {@code
 * log4j2.properties}, {@code offsets} (standalone's offset file), {@code worker.pid}, {@code worker.log}
 * (stdout and stderr). Package-private: {@link ConnectJdbcSink} is the API.
 *
 * <p>Thread-safety: the REST calls may be made from any thread; {@link #stop()} is idempotent.
 */
final class ConnectWorker {

    static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final String MAIN_CLASS = "org.apache.kafka.connect.cli.ConnectStandalone";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LOG_TAIL_LINES = 40;

    private final Path dir;
    private final Process process;
    private final URI rest;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Thread shutdownHook;

    private ConnectWorker(Path dir, Process process, URI rest) {
        this.dir = dir;
        this.process = process;
        this.rest = rest;
        this.shutdownHook = new Thread(this::stop, "connect-worker-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Writes the worker's files into {@code dir}, starts the JVM and waits until its REST API answers.
     *
     * @param classPath the worker's class path (connect-runtime, the connectors, the JDBC driver)
     * @param bootstrap the broker, {@code host:port}
     * @param maxHeapMb the JVM's {@code -Xmx}, MiB
     * @throws IllegalStateException if the JVM exits or its REST API does not answer within
     *     {@link #READY_TIMEOUT} (the message holds the tail of {@code worker.log}); nothing is left running
     */
    static ConnectWorker start(Path dir, String classPath, String bootstrap, int maxHeapMb) throws IOException {
        Files.createDirectories(dir);
        int port = freePort();
        Path props = dir.resolve("worker.properties");
        Files.writeString(props, String.join("\n",
                "# written by bench's ConnectJdbcSink at every start; edits are lost",
                "bootstrap.servers=" + bootstrap,
                "listeners=http://127.0.0.1:" + port,
                "offset.storage.file.filename=" + dir.resolve("offsets"),
                "offset.flush.interval.ms=10000",
                // Debezium's envelope and the sink's type mapping need the schema in every message
                "key.converter=org.apache.kafka.connect.json.JsonConverter",
                "value.converter=org.apache.kafka.connect.json.JsonConverter",
                "key.converter.schemas.enable=true",
                "value.converter.schemas.enable=true",
                // the plugins sit on the class path with ServiceLoader manifests: no scan of the 90 jars at start
                "plugin.discovery=service_load",
                "connector.client.config.override.policy=All", ""), UTF_8);
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, String.join("\n",
                "status = warn",
                "appender.console.type = Console",
                "appender.console.name = CONSOLE",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = %d{ISO8601} %-5level [%thread] %logger{36} - %msg%n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.console.ref = CONSOLE",
                // client and connector config dumps at every task start; keep the log readable
                "logger.clients.name = org.apache.kafka.clients",
                "logger.clients.level = WARN",
                "logger.config.name = org.apache.kafka.common.config.AbstractConfig",
                "logger.config.level = WARN",
                "logger.hibernate.name = org.hibernate",
                "logger.hibernate.level = WARN",
                "logger.c3p0.name = com.mchange",
                "logger.c3p0.level = WARN", ""), UTF_8);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx" + maxHeapMb + "m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
                "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + log4j, "-cp", classPath, MAIN_CLASS, props.toString()));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("worker.log").toFile()).start();
        process.getOutputStream().close();
        Files.writeString(dir.resolve("worker.pid"), process.pid() + "\n", UTF_8);
        ConnectWorker worker = new ConnectWorker(dir, process, URI.create("http://127.0.0.1:" + port));
        try {
            worker.awaitReady();
        } catch (RuntimeException | IOException e) {
            worker.stop();
            throw e;
        }
        return worker;
    }

    /** @return the worker's output, stdout and stderr */
    Path log() {
        return dir.resolve("worker.log");
    }

    /** @return the worker JVM's process id */
    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Creates (or replaces) a connector: {@code PUT /connectors/NAME/config}.
     *
     * @throws IllegalStateException if the worker rejects the config (its answer is in the message)
     */
    void putConnector(String name, Map<String, String> config) throws IOException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(rest.resolve("/connectors/" + name + "/config"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(config))));
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("the Connect worker rejected connector " + name + ": HTTP "
                    + r.statusCode() + " " + r.body() + "; worker log " + log());
        }
    }

    /**
     * {@code GET /connectors/NAME/status}: the connector's and its tasks' states and traces.
     *
     * @return the status document, or null while the connector is unknown to the worker (HTTP 404)
     */
    JsonNode status(String name) throws IOException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(rest.resolve("/connectors/" + name + "/status")).GET());
        if (r.statusCode() == 404) {
            return null;
        }
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("status of connector " + name + ": HTTP " + r.statusCode() + " "
                    + r.body() + "; worker log " + log());
        }
        return JSON.readTree(r.body());
    }

    /**
     * Stops the JVM: SIGTERM (Connect's shutdown hook stops the tasks, which close their replication
     * connection and commit offsets), then SIGKILL after {@link #STOP_TIMEOUT}. Idempotent.
     */
    void stop() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down; this may be the hook itself
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** The last lines of {@code worker.log}, for error messages. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log(), UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (NoSuchFileException e) {
            return "(" + log() + " does not exist)";
        } catch (IOException | UncheckedIOException e) {
            return "(" + log() + " cannot be read: " + e + ")";
        }
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Kafka Connect worker exited with code " + process.exitValue()
                        + " while starting; its log " + log() + " ends:\n" + logTail());
            }
            try {
                if (send(HttpRequest.newBuilder(rest.resolve("/connectors")).GET()).statusCode() == 200) {
                    return;
                }
            } catch (ConnectException notYet) {
                // the REST server binds late in the worker's start
            }
            sleep(Duration.ofMillis(200));
        }
        throw new IllegalStateException("the Kafka Connect worker's REST API at " + rest + " did not answer within "
                + READY_TIMEOUT + "; its log " + log() + " ends:\n" + logTail());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
        try {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling the Connect worker at " + rest, e);
        }
    }

    /**
     * Stops a JVM that a killed parent left running: the one {@code pidFile} names, if it is alive and its
     * command line holds both {@code mainClass} and {@code marker} (so a reused pid is left alone).
     */
    static void stopStale(Path pidFile, String mainClass, String marker) throws IOException {
        if (!Files.exists(pidFile)) {
            return;
        }
        long pid = Long.parseLong(Files.readString(pidFile, UTF_8).trim());
        ProcessHandle.of(pid).filter(h -> h.info().commandLine().map(c -> c.contains(mainClass)
                && c.contains(marker)).orElse(false)).ifPresent(h -> {
                    h.destroyForcibly();
                    h.onExit().join();
                });
        Files.delete(pidFile);
    }

    /** {@link #stopStale} for a worker started on {@code dir}. */
    static void stopStale(Path dir) throws IOException {
        stopStale(dir.resolve("worker.pid"), MAIN_CLASS, dir.resolve("worker.properties").toString());
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port on 127.0.0.1", e);
        }
    }
}
