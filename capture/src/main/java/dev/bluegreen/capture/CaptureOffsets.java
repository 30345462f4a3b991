package dev.bluegreen.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the source position Debezium stored for this pipeline, without starting Debezium: the
 * file Kafka Connect's {@code FileOffsetBackingStore} writes (a serialized {@code HashMap} of
 * JSON-encoded key and value bytes; key {@code ["<engine name>",{"server":"<topic prefix>"}]}).
 * Used to tell, before capture starts, whether Debezium will take a snapshot again.
 */
public final class CaptureOffsets {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CaptureOffsets() {
    }

    /** What the stored position says. */
    public enum State {
        /** No position stored: Debezium will snapshot (in {@code initial} mode). */
        NONE,
        /** A snapshot was under way and did not finish: Debezium will snapshot again. */
        SNAPSHOT_INCOMPLETE,
        /** Streaming position stored: Debezium resumes streaming. */
        STREAMING
    }

    /**
     * Reads the state.
     *
     * @throws BluegreenException (CAPTURE_FAILED) when the file exists but cannot be read
     */
    public static State read(PipelineConfig config) {
        Path file = config.workDir().resolve("capture").resolve("offsets.dat");
        if (!Files.isRegularFile(file)) {
            return State.NONE;
        }
        Optional<JsonNode> offset = offset(file, "bluegreen-" + config.name(), config.topicPrefix());
        if (offset.isEmpty()) {
            return State.NONE;
        }
        return offset.get().path("snapshot").asBoolean(false) ? State.SNAPSHOT_INCOMPLETE : State.STREAMING;
    }

    private static Optional<JsonNode> offset(Path file, String engine, String server) {
        try (InputStream in = Files.newInputStream(file); ObjectInputStream ois = new ObjectInputStream(in)) {
            ois.setObjectInputFilter(ObjectInputFilter.Config.createFilter(
                    "java.util.HashMap;java.util.Map$Entry;[B;maxdepth=5;!*"));
            Map<?, ?> raw = (Map<?, ?>) ois.readObject();
            for (Map.Entry<?, ?> e : raw.entrySet()) {
                JsonNode key = JSON.readTree((byte[]) e.getKey());
                if (key.isArray() && engine.equals(key.path(0).asText())
                        && server.equals(key.path(1).path("server").asText()) && e.getValue() != null) {
                    return Optional.of(JSON.readTree((byte[]) e.getValue()));
                }
            }
            return Optional.empty();
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new BluegreenException(ErrorCode.CAPTURE_FAILED, "cannot read capture's stored position " + file
                    + ": " + e.getMessage() + "; if the file is damaged, move it away: the pipeline then takes a new"
                    + " snapshot and rebuilds green", e);
        }
    }
}
