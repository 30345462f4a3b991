package dev.bluegreen.bench.streaming;

import dev.bluegreen.bench.report.BenchSupport;

import static dev.bluegreen.bench.report.BenchSupport.deleteTree;

import dev.bluegreen.testkit.LocalPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * bluegreen as a user runs it: the shipped jar's {@code bluegreen run --config ...} as a child JVM
 * (with its embedded broker, a second child JVM), {@code capture.snapshot: never} (green already
 * holds blue's data), {@code capture.heartbeat-interval-ms: 100}, identity mapping of the replicated
 * tables. Each {@link #start} is a fresh pipeline named after the run (its own slot, publication,
 * topics and work folder). {@link #pause} stops the process (SIGTERM: the pipeline and its broker shut
 * down cleanly; the slot and Debezium's offsets keep the position), {@link #resume} starts it again on
 * the same work folder, {@link #close} stops it, drops the slot and publication on blue and deletes
 * the work folder (the broker's topic data).
 *
 * <p>Split ({@code bluegreen-split}): the same pipeline as two processes, {@code run --role capture} (with the broker)
 * and {@code run --role apply}; {@link #pause} and {@link #resume} stop and start the apply process only, so capture
 * goes on reading blue into Kafka during an S3 backlog. Not thread-safe.
 */
final class BluegreenContender implements Contender {

    private final Path root;
    private final LocalPostgres blue;
    private final LocalPostgres green;
    private final String db;
    private final List<String> tables;
    private final boolean jfr;
    private final Integer nice;
    private final List<Path> recordings = new ArrayList<>();
    private String pipeline;
    private Path dir;
    private final boolean split;
    /** The {@code run} process ({@code --role apply} when split). */
    private Process process;
    /** The {@code run --role capture} process when split, else null. */
    private Process captureProcess;

    /**
     * @param root the project root (holds {@code cli/target/bluegreen.jar})
     * @param tables the replicated tables, {@code schema.table}
     * @param jfr whether to run each process with a JFR recording ({@code settings=profile})
     * @param nice niceness for {@code nice -n} of the run process (its broker inherits it), or null for none
     */
    BluegreenContender(Path root, LocalPostgres blue, LocalPostgres green, String db, List<String> tables, boolean jfr,
                       Integer nice) {
        this(root, blue, green, db, tables, jfr, nice, false);
    }

    /** @param split run capture and apply as two processes ({@code --role capture}, {@code --role apply}) */
    BluegreenContender(Path root, LocalPostgres blue, LocalPostgres green, String db, List<String> tables, boolean jfr,
                       Integer nice, boolean split) {
        this.split = split;
        this.nice = nice;
        this.root = root;
        this.blue = blue;
        this.green = green;
        this.db = db;
        this.tables = List.copyOf(tables);
        this.jfr = jfr;
    }

    @Override
    public String name() {
        return split ? "bluegreen-split" : "bluegreen";
    }

    @Override
    public void start(String run, Path dir) throws IOException {
        this.pipeline = run.replace('-', '_'); // a pipeline name is [a-z][a-z0-9_]*: "r1_s3_bluegreen-split"
        this.dir = dir;
        recordings.clear();
        StringBuilder t = new StringBuilder();
        for (String table : tables) {
            t.append("  - blue: ").append(table).append("\n    green: ").append(table).append('\n');
        }
        Files.writeString(dir.resolve("pipeline.yaml"), "pipeline:\n  name: " + pipeline + "\n  work-dir: "
                + dir.resolve("pipeline") + "\n"
                + "blue:\n  jdbc-url: " + blue.jdbcUrl(db) + "\n  user: postgres\n"
                + "green:\n  jdbc-url: " + green.jdbcUrl(db) + "\n  user: postgres\n"
                + "capture:\n  heartbeat-interval-ms: 100\n  snapshot: never\n"
                + "tables:\n" + t);
        if (split) {
            captureProcess = launch("capture");
            awaitBroker();
        }
        process = launch(split ? "apply" : "all");
    }

    /** Waits until the capture process's embedded broker runs (the apply process needs it at its start). */
    private void awaitBroker() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (brokerPid().isEmpty() || !Files.readString(log()).contains("capture started")) {
            if (!captureProcess.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("bluegreen run --role capture did not start its capture; see " + log());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private Process launch(String role) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (nice != null) {
            cmd.addAll(List.of("nice", "-n", Integer.toString(nice)));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(BenchSupport.jvmOptions(root, "run"));
        cmd.add("-Dbluegreen.home=" + root);
        if (jfr) {
            Path file = dir.resolve("run-" + (recordings.size() + 1) + ".jfr");
            recordings.add(file);
            cmd.add("-XX:StartFlightRecording=filename=" + file + ",settings=profile,dumponexit=true");
        }
        cmd.addAll(List.of("-jar", root.resolve("cli/target/bluegreen.jar").toString(), "run", "--config",
                dir.resolve("pipeline.yaml").toString(), "--role", role));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("run.log").toFile())).start();
    }

    @Override
    public void pause() throws Exception {
        if (split) {
            stop(process); // the apply process; capture and its broker go on
            process = null;
        } else {
            stopProcess();
        }
    }

    @Override
    public void resume() throws IOException {
        process = launch(split ? "apply" : "all");
    }

    /** The run's log (all starts appended). */
    Path log() {
        return dir.resolve("run.log");
    }

    /** The JFR recordings of the current {@link #start} (one per process start), when recording. */
    List<Path> recordings() {
        return List.copyOf(recordings);
    }

    @Override
    public void checkHealthy() {
        for (Process p : Arrays.asList(process, captureProcess)) {
            if (p != null && !p.isAlive()) {
                throw new IllegalStateException("bluegreen run exited with " + p.exitValue() + "; see " + log());
            }
        }
    }

    @Override
    public List<Proc> processes() {
        List<Proc> out = new ArrayList<>();
        if (captureProcess != null && captureProcess.isAlive()) {
            out.add(new Proc("bluegreen run --role capture", captureProcess.pid(), true));
        }
        if (process != null && process.isAlive()) {
            out.add(new Proc(split ? "bluegreen run --role apply" : "bluegreen run", process.pid(), true));
        }
        brokerPid().ifPresent(pid -> out.add(new Proc("embedded broker", pid, true)));
        return out;
    }

    private Optional<Long> brokerPid() {
        Path file = dir.resolve("pipeline/kafka/broker.pid");
        try {
            long pid = Long.parseLong(Files.readString(file).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(h -> pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Stops every process of the pipeline (the apply process first when split) and waits for the broker. */
    private void stopProcess() throws InterruptedException {
        Optional<Long> broker = brokerPid();
        stop(process);
        process = null;
        stop(captureProcess);
        captureProcess = null;
        // the run process stops its broker in its shutdown hook; wait for it so that nothing consumes
        for (long pid : broker.stream().toList()) {
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            if (h.isPresent()) {
                try {
                    h.get().onExit().get(30, TimeUnit.SECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    h.get().destroyForcibly();
                }
            }
        }
    }

    /** SIGTERM, then SIGKILL after 60 s. */
    private static void stop(Process p) throws InterruptedException {
        if (p == null) {
            return;
        }
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws Exception {
        if (pipeline == null) {
            return;
        }
        stopProcess();
        String slot = "bluegreen_" + pipeline;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Connection c = blue.connect(db); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                        + " WHERE slot_name = '" + slot + "'")) {
                    while (rs.next()) {
                        // dropped
                    }
                }
                st.execute("DROP PUBLICATION IF EXISTS " + slot);
                break;
            } catch (SQLException active) {
                if (System.nanoTime() > deadline) {
                    throw active;
                }
                Thread.sleep(200); // the walsender of the stopped process may still hold the slot
            }
        }
        deleteTree(dir.resolve("pipeline"));
        pipeline = null;
    }

}
