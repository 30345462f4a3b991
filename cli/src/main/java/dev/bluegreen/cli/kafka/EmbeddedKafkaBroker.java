package dev.bluegreen.cli.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) run as a child JVM from
 * the Kafka jars on this JVM's class path; used when the pipeline config asks for
 * {@code kafka.bootstrap: embedded}.
 *
 * <p>Everything lives under {@code <workDir>/kafka}: {@code server.properties}, the logging
 * configs, {@code logs/} (the topic data, kept across restarts and never expired, so the transform
 * can replay), {@code cluster.id}, {@code broker.pid} and {@code broker.log} (the child's output;
 * the previous run's is kept as {@code broker.log.1}). A restart on the same work dir reuses the
 * cluster id, the data and, when still free, the ports. One broker per work dir: starting a second
 * one stops the first (that is how a broker left behind by a killed parent is cleaned up).
 *
 * <p>The broker listens on 127.0.0.1 only, without authentication; it is for one machine's
 * pipeline, not for shared use.
 *
 * <p>Thread-safety: immutable once started; {@link #close()} is idempotent and may be called from
 * any thread, including the JVM shutdown hook this class registers.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /** How long {@link #start(Path)} waits for the broker to answer (first start ~3 s on 2 cores). */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    /** How long {@link #close()} waits for a graceful shutdown before killing the broker. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    /** Maximum heap of the broker JVM. */
    public static final String BROKER_HEAP = "-Xmx512m";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String MAIN_CLASS = "kafka.Kafka";
    /** Kafka 4.x: the Scala tool in kafka_2.13 (there is no org.apache.kafka.tools.StorageTool). */
    private static final String STORAGE_TOOL_CLASS = "kafka.tools.StorageTool";
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final int LOG_TAIL_LINES = 30;
    private static final int BIND_ATTEMPTS = 3;
    private static final Pattern BROKER_LISTENER = Pattern.compile("PLAINTEXT://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern CONTROLLER_LISTENER = Pattern.compile("CONTROLLER://127\\.0\\.0\\.1:(\\d+)");

    private final BrokerFiles files;
    private final Process process;
    private final int brokerPort;
    private final Duration startupTime;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;
    private final Optional<ClassArchive> archive;

    private EmbeddedKafkaBroker(BrokerFiles files, Process process, Optional<ClassArchive> archive, int brokerPort,
            Duration startupTime) {
        this.files = files;
        this.process = process;
        this.archive = archive;
        this.brokerPort = brokerPort;
        this.startupTime = startupTime;
        this.shutdownHook = new Thread(this::stop, "embedded-kafka-broker-stop");
    }

    /**
     * Starts the broker under {@code workDir/kafka} and waits until it answers a describe-cluster
     * request. Formats the storage on first use; stops a broker left running on the same work dir
     * by a parent that died. Blocks for about 1.3 s normally (2.5-3 s on the first start of a build, whose
     * broker then records its classes for the next starts: {@link ClassArchive}), at most {@link #READY_TIMEOUT}.
     *
     * @param workDir the pipeline's work folder; created if missing
     * @return the running broker; the caller must {@link #close()} it (a shutdown hook also does)
     * @throws BluegreenException with {@link ErrorCode#BROKER_UNAVAILABLE} if the broker cannot be
     *     formatted or started, exits, or is not ready in time; the message holds the last 30 lines
     *     of {@code broker.log}, and no broker is left running
     * @throws UncheckedIOException if the work folder cannot be written
     */
    public static EmbeddedKafkaBroker start(Path workDir) {
        requireNonNull(workDir, "workDir is null");
        long startNanos = System.nanoTime();
        BrokerFiles files = new BrokerFiles(workDir.toAbsolutePath().normalize().resolve("kafka"));
        try {
            Files.createDirectories(files.logDir());
            stopStaleBroker(files);
            String clusterId = clusterId(files);
            writeLoggingConfigs(files);
            Ports ports = reusablePorts(files).orElseGet(Ports::pick);
            for (int attempt = 1; ; attempt++) {
                writeServerProperties(files, ports);
                if (!Files.exists(files.logDir().resolve("meta.properties"))) {
                    format(files, clusterId);
                }
                Optional<ClassArchive> archive = ClassArchive.of("kafka-broker", absoluteClassPath());
                Process process = launch(files, archive);
                ReadyResult ready;
                try {
                    ready = awaitReady(files, process, ports, startNanos);
                } catch (RuntimeException e) {
                    abandon(process, archive);
                    throw e;
                }
                if (ready == ReadyResult.READY) {
                    Duration startupTime = Duration.ofNanos(System.nanoTime() - startNanos);
                    EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(files, process, archive, ports.broker(),
                            startupTime);
                    try {
                        Runtime.getRuntime().addShutdownHook(broker.shutdownHook);
                    } catch (IllegalStateException e) {
                        broker.stop(); // the JVM is shutting down: nobody would stop the broker
                        throw e;
                    }
                    LOG.info("embedded Kafka broker ready on {} in {} ms (pid {}, data {})",
                            broker.bootstrapServers(), startupTime.toMillis(), process.pid(), files.logDir());
                    return broker;
                }
                abandon(process, archive);
                Files.deleteIfExists(files.pidFile());
                String tail = tail(files.brokerLog());
                if (ready == ReadyResult.EXITED && attempt < BIND_ATTEMPTS && isBindFailure(files.brokerLog())) {
                    LOG.info("port {} or {} was taken before the embedded Kafka broker could bind it "
                            + "(attempt {} of {}); retrying on new ports", ports.broker(), ports.controller(),
                            attempt, BIND_ATTEMPTS);
                    ports = Ports.pick();
                    continue;
                }
                String what = ready == ReadyResult.EXITED
                        ? "exited with code " + process.exitValue() + " while starting"
                        : "did not become ready within " + READY_TIMEOUT.toSeconds() + " s";
                throw new BluegreenException(ErrorCode.BROKER_UNAVAILABLE, "the embedded Kafka broker " + what
                        + " and is not running; data in " + files.logDir() + " is kept. See "
                        + files.brokerLog() + "; its last " + LOG_TAIL_LINES + " lines:\n" + tail);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the embedded Kafka broker in " + files.dir(), e);
        }
    }

    /** @return the bootstrap servers for clients, {@code 127.0.0.1:PORT} */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** @return the broker's OS process id */
    public long pid() {
        return process.pid();
    }

    /** @return whether the broker process is still running */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * @return wall time from the call to {@link #start(Path)} until the broker answered, including
     *     any storage formatting
     */
    public Duration startupTime() {
        return startupTime;
    }

    /** @return the broker's output file, {@code workDir/kafka/broker.log} */
    public Path logFile() {
        return files.brokerLog();
    }

    /** @return the topic data folder, {@code workDir/kafka/logs} */
    public Path dataDir() {
        return files.logDir();
    }

    /**
     * Stops the broker: SIGTERM for a graceful shutdown, waiting up to {@link #STOP_TIMEOUT}, then
     * SIGKILL. The data stays. Idempotent; blocks for about 0.3 s normally, 3-4 s when this broker
     * records its class archive at exit.
     */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down; the hook runs stop() itself
        }
        stop();
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaBroker[" + bootstrapServers() + ", pid " + process.pid() + ", " + files.dir() + "]";
    }

    private void stop() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean clean = terminate(process);
        archive.ifPresent(a -> a.childExited(clean));
        try {
            Files.deleteIfExists(files.pidFile());
        } catch (IOException e) {
            LOG.debug("could not delete {}", files.pidFile(), e);
        }
        LOG.info("embedded Kafka broker on {} stopped", bootstrapServers());
    }

    /**
     * SIGTERM, wait, SIGKILL; restores the interrupt flag if interrupted (then kills at once).
     *
     * @return true when the process exited within {@link #STOP_TIMEOUT} of SIGTERM, false when it had to be
     *     killed or had exited before
     */
    private static boolean terminate(Process process) {
        return terminate(process.toHandle());
    }

    private static boolean terminate(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        handle.destroy();
        try {
            handle.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Kafka broker pid {} did not stop within {} s of SIGTERM; killing it",
                    handle.pid(), STOP_TIMEOUT.toSeconds());
        }
        handle.destroyForcibly();
        try {
            handle.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Kafka broker pid {} is still alive after SIGKILL", handle.pid());
        }
        return false;
    }

    /**
     * Stops a broker left running on {@code workDir} by a process that died without closing it
     * (SIGKILL skips shutdown hooks); does nothing when none runs. Used by {@link #start} and by
     * tests that kill a pipeline process on purpose.
     *
     * @throws BluegreenException (BROKER_UNAVAILABLE) when it cannot be stopped or read
     */
    public static void stopLeftover(Path workDir) {
        try {
            stopStaleBroker(new BrokerFiles(workDir.toAbsolutePath().normalize().resolve("kafka")));
        } catch (IOException e) {
            throw new BluegreenException(ErrorCode.BROKER_UNAVAILABLE, "cannot check for a leftover broker in "
                    + workDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The bootstrap servers of the embedded broker that another process (e.g. {@code bluegreen run}) runs on
     * {@code workDir}: the one named in {@code broker.pid}, if it is alive and was started with this work dir's
     * {@code server.properties}, at the broker port written there. Does not start or stop anything.
     *
     * @return {@code 127.0.0.1:PORT}, or empty when no embedded broker runs on that work dir
     * @throws BluegreenException (BROKER_UNAVAILABLE) when the broker's files cannot be read
     */
    public static Optional<String> runningBootstrap(Path workDir) {
        BrokerFiles files = new BrokerFiles(workDir.toAbsolutePath().normalize().resolve("kafka"));
        try {
            if (livingBroker(files).isEmpty()) {
                return Optional.empty();
            }
            return listenedPorts(files).map(p -> "127.0.0.1:" + p.broker());
        } catch (IOException e) {
            throw new BluegreenException(ErrorCode.BROKER_UNAVAILABLE, "cannot read the embedded broker's files in "
                    + files.dir() + ": " + e.getMessage(), e);
        }
    }

    /** The process named in broker.pid, if it is alive and its command line names our server.properties. */
    private static Optional<ProcessHandle> livingBroker(BrokerFiles files) throws IOException {
        if (!Files.exists(files.pidFile())) {
            return Optional.empty();
        }
        String text = Files.readString(files.pidFile(), UTF_8).strip();
        Optional<ProcessHandle> handle;
        try {
            handle = ProcessHandle.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            handle = Optional.empty();
        }
        return handle.filter(h -> h.isAlive() && commandLine(h.pid()).contains(files.serverProperties().toString()));
    }

    /** Stops the process named in broker.pid if its command line names our server.properties. */
    private static void stopStaleBroker(BrokerFiles files) throws IOException {
        if (!Files.exists(files.pidFile())) {
            return;
        }
        Optional<ProcessHandle> handle = livingBroker(files);
        if (handle.isPresent()) {
            LOG.warn("stopping a stale embedded Kafka broker (pid {}) left running on {}",
                    handle.get().pid(), files.dir());
            terminate(handle.get());
            if (handle.get().isAlive()) {
                throw new BluegreenException(ErrorCode.BROKER_UNAVAILABLE, "a stale embedded Kafka broker (pid "
                        + handle.get().pid() + ") still runs on " + files.dir() + " and could not be stopped; "
                        + "stop it, then retry");
            }
        }
        Files.deleteIfExists(files.pidFile());
    }

    /** The NUL-separated /proc command line with spaces, or "" if the process is gone. */
    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    /** The stored cluster id, else the formatted one, else a new one; stored in cluster.id. */
    private static String clusterId(BrokerFiles files) throws IOException {
        Path meta = files.logDir().resolve("meta.properties");
        String formatted = null;
        if (Files.exists(meta)) {
            Properties props = new Properties();
            try (InputStream in = Files.newInputStream(meta)) {
                props.load(in);
            }
            formatted = props.getProperty("cluster.id");
        }
        String stored = Files.exists(files.clusterIdFile())
                ? Files.readString(files.clusterIdFile(), UTF_8).strip() : null;
        if (stored != null && formatted != null && !stored.equals(formatted)) {
            throw new BluegreenException(ErrorCode.BROKER_UNAVAILABLE, "the embedded Kafka broker's data in "
                    + files.logDir() + " belongs to cluster " + formatted + " but " + files.clusterIdFile()
                    + " says " + stored + "; nothing was started. Restore the matching cluster.id, or delete "
                    + files.dir() + " to start over (its topics are lost)");
        }
        String id = stored != null ? stored : formatted != null ? formatted : Uuid.randomUuid().toString();
        if (stored == null) {
            Files.writeString(files.clusterIdFile(), id + "\n", UTF_8);
        }
        return id;
    }

    /** The ports in the existing server.properties, if both can still be bound. */
    private static Optional<Ports> reusablePorts(BrokerFiles files) throws IOException {
        return listenedPorts(files).filter(p -> isFree(p.broker()) && isFree(p.controller()));
    }

    /** The ports in the existing server.properties. */
    private static Optional<Ports> listenedPorts(BrokerFiles files) throws IOException {
        if (!Files.exists(files.serverProperties())) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(files.serverProperties())) {
            props.load(in);
        }
        String listeners = props.getProperty("listeners", "");
        Matcher broker = BROKER_LISTENER.matcher(listeners);
        Matcher controller = CONTROLLER_LISTENER.matcher(listeners);
        if (!broker.find() || !controller.find()) {
            return Optional.empty();
        }
        return Optional.of(new Ports(Integer.parseInt(broker.group(1)), Integer.parseInt(controller.group(1))));
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void writeServerProperties(BrokerFiles files, Ports ports) throws IOException {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + ports.controller());
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + ports.broker() + ",CONTROLLER://127.0.0.1:" + ports.controller());
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + ports.broker());
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", files.logDir().toString());
        props.put("num.partitions", "1");
        props.put("auto.create.topics.enable", "true");
        // keep every event: the transform can be fixed and replayed from the topics
        props.put("log.retention.hours", "-1");
        props.put("log.retention.bytes", "-1");
        // one node: internal topics with one replica, and few partitions so they are created fast
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        StringBuilder text = new StringBuilder("# written by bluegreen at every start of the embedded broker; edits are lost\n");
        props.forEach((key, value) -> text.append(key).append('=').append(value.replace("\\", "\\\\")).append('\n'));
        Files.writeString(files.serverProperties(), text, UTF_8);
    }

    /**
     * Kafka 4.x logs through SLF4J, bound here to logback (cli's dependency), plus a few classes
     * (the logging controller) straight to log4j2, whose core is a Kafka dependency: configure both,
     * to the console, which is broker.log.
     */
    private static void writeLoggingConfigs(BrokerFiles files) throws IOException {
        Files.writeString(files.logbackConfig(), """
                <?xml version="1.0" encoding="UTF-8"?>
                <!-- written by bluegreen for the embedded Kafka broker; edits are lost -->
                <configuration>
                  <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="kafka.server.KafkaRaftServer" level="INFO"/>
                  <root level="WARN"><appender-ref ref="CONSOLE"/></root>
                </configuration>
                """, UTF_8);
        Files.writeString(files.log4j2Config(), """
                # written by bluegreen for the embedded Kafka broker; edits are lost
                status = warn
                appender.console.type = Console
                appender.console.name = CONSOLE
                appender.console.layout.type = PatternLayout
                appender.console.layout.pattern = %d{ISO8601} %-5level [%thread] %logger{36} - %msg%n
                rootLogger.level = WARN
                rootLogger.appenderRef.console.ref = CONSOLE
                """, UTF_8);
    }

    private static List<String> javaCommand(BrokerFiles files, String mainClass) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add(BROKER_HEAP);
        command.add("-XX:+UseG1GC");
        // C1 only: in a restarted pipeline's first minute the broker's compiler threads used 15 s of CPU with C2
        // (1 s with C1) on 2 cores that the pipeline and blue needed, and its request threads used less CPU per
        // record, not more (15 vs 37 us per row change over a whole drain; S3 in bench/README.md)
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:MaxGCPauseMillis=20");
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.add("-Djava.awt.headless=true");
        command.add("-Dlogback.configurationFile=" + files.logbackConfig());
        command.add("-Dlog4j2.configurationFile=" + files.log4j2Config());
        command.add("-cp");
        command.add(absoluteClassPath());
        command.add(mainClass);
        return command;
    }

    /**
     * This JVM's class path with every entry made absolute, since the broker runs in another
     * folder ({@code java -jar bluegreen.jar} gives a relative {@code java.class.path}).
     */
    private static String absoluteClassPath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(Pattern.quote(File.pathSeparator), -1)) {
            entries.add(Path.of(entry).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void format(BrokerFiles files, String clusterId) throws IOException {
        List<String> command = javaCommand(files, STORAGE_TOOL_CLASS);
        command.addAll(List.of("format", "--cluster-id", clusterId, "--config", files.serverProperties().toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(files.formatLog().toFile()).start();
        process.getOutputStream().close();
        boolean exited;
        try {
            exited = process.waitFor(FORMAT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new BluegreenException(ErrorCode.BROKER_UNAVAILABLE,
                    "interrupted while formatting the embedded Kafka broker's storage in " + files.logDir(), e);
        }
        if (!exited || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new BluegreenException(ErrorCode.BROKER_UNAVAILABLE, "formatting the embedded Kafka broker's "
                    + "storage in " + files.logDir() + " with " + STORAGE_TOOL_CLASS + " "
                    + (exited ? "failed with exit code " + process.exitValue() : "timed out")
                    + "; nothing is running. Its output (" + files.formatLog() + "):\n" + tail(files.formatLog()));
        }
        LOG.info("formatted the embedded Kafka broker's storage in {} (cluster {})", files.logDir(), clusterId);
    }

    private static Process launch(BrokerFiles files, Optional<ClassArchive> archive) throws IOException {
        if (Files.exists(files.brokerLog())) {
            Files.move(files.brokerLog(), files.previousBrokerLog(), StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> command = javaCommand(files, MAIN_CLASS);
        // the JVM options go before the main class
        archive.ifPresent(a -> command.addAll(command.size() - 1, a.jvmOptions()));
        command.add(files.serverProperties().toString());
        Process process = new ProcessBuilder(command).directory(files.dir().toFile()).redirectErrorStream(true)
                .redirectOutput(files.brokerLog().toFile()).start();
        try {
            process.getOutputStream().close();
            Files.writeString(files.pidFile(), process.pid() + "\n", UTF_8);
        } catch (IOException e) {
            abandon(process, archive);
            throw e;
        }
        return process;
    }

    /** Stops a broker that did not start, dropping any class archive it was recording (it is incomplete). */
    private static void abandon(Process process, Optional<ClassArchive> archive) {
        terminate(process);
        archive.ifPresent(a -> a.childExited(false));
    }

    private enum ReadyResult { READY, EXITED, TIMED_OUT }

    /** Polls until the broker answers describeCluster with at least one node, exits, or the deadline passes. */
    private static ReadyResult awaitReady(BrokerFiles files, Process process, Ports ports, long startNanos) {
        long deadline = startNanos + READY_TIMEOUT.toNanos();
        Admin admin = null;
        try {
            while (System.nanoTime() - deadline < 0) {
                if (!process.isAlive()) {
                    return ReadyResult.EXITED;
                }
                if (admin == null && accepts(ports.broker())) {
                    admin = Admin.create(Map.of(
                            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + ports.broker(),
                            AdminClientConfig.CLIENT_ID_CONFIG, "bluegreen-embedded-broker-probe",
                            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000",
                            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000",
                            AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500"));
                }
                if (admin != null && hasNodes(admin)) {
                    return ReadyResult.READY;
                }
                Thread.sleep(POLL_INTERVAL.toMillis());
            }
            return ReadyResult.TIMED_OUT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            terminate(process);
            throw new BluegreenException(ErrorCode.BROKER_UNAVAILABLE,
                    "interrupted while waiting for the embedded Kafka broker in " + files.dir()
                            + " to start; it was stopped", e);
        } finally {
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
        }
    }

    private static boolean hasNodes(Admin admin) throws InterruptedException {
        try {
            Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5000))
                    .nodes().get(6, TimeUnit.SECONDS);
            return !nodes.isEmpty();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("embedded Kafka broker not ready yet: {}", e.toString());
            return false;
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the broker's output reports a port it could not bind (it then exits with code 1). */
    private static boolean isBindFailure(Path brokerLog) {
        try {
            String log = Files.readString(brokerLog, UTF_8);
            return log.contains("Address already in use") || log.contains("java.net.BindException");
        } catch (IOException e) {
            return false;
        }
    }

    /** The last lines of a text file, or a note if it cannot be read. */
    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (NoSuchFileException e) {
            return "(" + file + " does not exist)";
        } catch (IOException e) {
            return "(" + file + " cannot be read: " + e + ")";
        }
    }

    /** A broker listener port and a controller listener port on 127.0.0.1. */
    private record Ports(int broker, int controller) {
        Ports {
            if (broker < 1 || broker > 65535 || controller < 1 || controller > 65535 || broker == controller) {
                throw new IllegalArgumentException("bad ports: broker " + broker + ", controller " + controller);
            }
        }

        /** Two distinct free ports, found by binding port 0 (the broker binds them shortly after). */
        static Ports pick() {
            try (ServerSocket broker = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    ServerSocket controller = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return new Ports(broker.getLocalPort(), controller.getLocalPort());
            } catch (IOException e) {
                throw new UncheckedIOException("could not find free TCP ports on 127.0.0.1", e);
            }
        }
    }

    /** The files of one broker under {@code workDir/kafka}. */
    private record BrokerFiles(Path dir) {
        BrokerFiles {
            requireNonNull(dir, "dir is null");
        }

        Path logDir() {
            return dir.resolve("logs");
        }

        Path serverProperties() {
            return dir.resolve("server.properties");
        }

        Path logbackConfig() {
            return dir.resolve("logback-broker.xml");
        }

        Path log4j2Config() {
            return dir.resolve("log4j2-broker.properties");
        }

        Path clusterIdFile() {
            return dir.resolve("cluster.id");
        }

        Path pidFile() {
            return dir.resolve("broker.pid");
        }

        Path brokerLog() {
            return dir.resolve("broker.log");
        }

        Path previousBrokerLog() {
            return dir.resolve("broker.log.1");
        }

        Path formatLog() {
            return dir.resolve("format.log");
        }
    }
}
