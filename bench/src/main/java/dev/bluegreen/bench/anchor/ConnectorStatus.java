package dev.bluegreen.bench.anchor;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/** Reading the states of a worker's connectors and tasks from its REST status documents. */
final class ConnectorStatus {

    private ConnectorStatus() {
    }

    /**
     * Throws if the worker has exited or a connector or one of its tasks FAILED.
     *
     * @throws IllegalStateException naming the connector and task, with its trace and the worker log path
     */
    static void checkHealthy(ConnectWorker worker, List<String> names) {
        if (!worker.isAlive()) {
            throw new IllegalStateException("the Kafka Connect worker (pid " + worker.pid() + ") exited; its log "
                    + worker.log() + " ends:\n" + worker.logTail());
        }
        for (String name : names) {
            try {
                failure(worker, name, worker.status(name));
            } catch (IOException e) {
                throw new UncheckedIOException("reading connector " + name + "'s status failed; worker log "
                        + worker.log(), e);
            }
        }
    }

    /** Throws if the status shows the connector or a task FAILED; returns whether all are RUNNING. */
    static boolean failure(ConnectWorker worker, String name, JsonNode status) {
        if (status == null) {
            return false;
        }
        boolean running = "RUNNING".equals(status.path("connector").path("state").asText());
        if ("FAILED".equals(status.path("connector").path("state").asText())) {
            throw new IllegalStateException("connector " + name + " FAILED: " + status.path("connector")
                    .path("trace").asText() + "\nworker log " + worker.log());
        }
        if (status.path("tasks").isEmpty()) {
            return false;
        }
        for (JsonNode task : status.path("tasks")) {
            String state = task.path("state").asText();
            if ("FAILED".equals(state)) {
                throw new IllegalStateException("connector " + name + " task " + task.path("id").asText()
                        + " FAILED: " + task.path("trace").asText() + "\nworker log " + worker.log());
            }
            running &= "RUNNING".equals(state);
        }
        return running;
    }

    interface Check {
        boolean ok() throws SQLException;
    }

    static void awaitRunning(ConnectWorker worker, String name, Check extra) throws IOException {
        long deadline = System.nanoTime() + ConnectJdbcSink.CONNECTOR_READY_TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (!worker.isAlive()) {
                throw new IllegalStateException("the Kafka Connect worker exited while starting connector " + name
                        + "; its log " + worker.log() + " ends:\n" + worker.logTail());
            }
            try {
                if (failure(worker, name, worker.status(name)) && (extra == null || extra.ok())) {
                    return;
                }
            } catch (SQLException e) {
                throw new IllegalStateException("checking connector " + name + "'s replication slot failed", e);
            }
            ConnectWorker.sleep(Duration.ofMillis(100));
        }
        throw new IllegalStateException("connector " + name + " was not RUNNING" + (extra == null ? "" : " with its"
                + " slot active") + " within " + ConnectJdbcSink.CONNECTOR_READY_TIMEOUT + "; worker log " + worker.log());
    }
}
