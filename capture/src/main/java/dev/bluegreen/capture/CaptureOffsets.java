package dev.bluegreen.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.core.position.BinlogPosition;
import io.debezium.embedded.EmbeddedWorkerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;
import org.apache.kafka.connect.storage.OffsetStorageWriter;

/**
 * Reads the source position Debezium stored for this pipeline, without starting Debezium: the
 * file Kafka Connect's {@code FileOffsetBackingStore} writes (a serialized {@code HashMap} of
 * JSON-encoded key and value bytes; key {@code ["<engine name>",{"server":"<topic prefix>"}]}).
 * Used to tell, before capture starts, whether Debezium will take a snapshot again.
 */
public final class CaptureOffsets {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The offsets file's name in the pipeline's capture folder. */
    public static final String FILE = "offsets.dat";

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
        Path file = config.workDir().resolve("capture").resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return State.NONE;
        }
        Optional<JsonNode> offset = offset(file, "bluegreen-" + config.name(), config.topicPrefix());
        if (offset.isEmpty()) {
            return State.NONE;
        }
        return offset.get().path("snapshot").asBoolean(false) ? State.SNAPSHOT_INCOMPLETE : State.STREAMING;
    }

    /**
     * Stores a MariaDB blue's binlog position as Debezium's source offset, so that capture's first start
     * streams from exactly there: the copy's consistent point. Written through Kafka Connect's own {@code
     * FileOffsetBackingStore} and {@code OffsetStorageWriter} with the converters Debezium's embedded
     * engine uses for offsets (JSON without schemas), under the engine's name and the partition {@code
     * {"server": <topic prefix>}} of Debezium's binlog connectors; the value holds {@code file}, {@code pos}
     * and {@code gtids} (Debezium 3.5 {@code MariaDbOffsetContext.Loader}). Replaces any stored position.
     *
     * @throws BluegreenException (CAPTURE_FAILED) when the file cannot be written
     */
    public static void writeBinlogStart(PipelineConfig config, BinlogPosition position) {
        Path file = config.workDir().resolve("capture").resolve(FILE);
        JsonConverter keys = new JsonConverter();
        keys.configure(Map.of("schemas.enable", "false"), true);
        JsonConverter values = new JsonConverter();
        values.configure(Map.of("schemas.enable", "false"), false);
        FileOffsetBackingStore store = new FileOffsetBackingStore(keys);
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            // EmbeddedWorkerConfig adds its required settings to the map it is given: a mutable one
            store.configure(new EmbeddedWorkerConfig(new java.util.HashMap<>(Map.of("offset.storage.file.filename",
                    file.toString()))));
            store.start();
            OffsetStorageWriter writer = new OffsetStorageWriter(store, "bluegreen-" + config.name(), keys, values);
            Map<String, Object> offset = new java.util.LinkedHashMap<>();
            offset.put("file", position.file());
            offset.put("pos", position.offset());
            if (!position.gtids().isEmpty()) {
                offset.put("gtids", position.gtids());
            }
            writer.offset(Map.of("server", config.topicPrefix()), offset);
            if (!writer.beginFlush()) {
                throw new IOException("nothing to flush");
            }
            writer.doFlush((error, ignored) -> { }).get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                 | RuntimeException e) {
            throw new BluegreenException(ErrorCode.CAPTURE_FAILED, "cannot store capture's start position " + position
                    + " in " + file + ": " + e.getMessage() + "; check that pipeline.work-dir is writable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BluegreenException(ErrorCode.CAPTURE_FAILED, "interrupted while storing capture's start position", e);
        } finally {
            store.stop();
        }
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
