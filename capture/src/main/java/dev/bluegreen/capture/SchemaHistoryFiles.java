package dev.bluegreen.capture;

import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema history Debezium's MariaDB connector keeps in the capture folder ({@value
 * DebeziumProperties#SCHEMA_HISTORY_FILE}), and bluegreen's mark that it is whole ({@value #COMPLETE_FILE}).
 *
 * <p>Debezium writes the history record by record during its schema snapshot ({@code recovery} mode, the first
 * start after bluegreen's copy planned its binlog position). A process killed inside that snapshot leaves a file
 * that lacks some tables, and the next start in {@code no_data} mode then stops at the first change of such a table
 * ("whose schema isn't known to this connector"; seen when a copy was killed seconds after it started). So
 * {@link CaptureEngine} writes the mark once the first streamed event arrives, which Debezium sends only after
 * its schema snapshot; a history without the mark is discarded before the next start, which then runs in
 * {@code recovery} mode again from the stored position. Stateless; the files belong to one pipeline process.
 */
public final class SchemaHistoryFiles {

    /** The mark's file name beside the history. */
    public static final String COMPLETE_FILE = "schema-history.complete";

    private static final Logger LOG = LoggerFactory.getLogger(SchemaHistoryFiles.class);

    private SchemaHistoryFiles() {
    }

    /** The history file of a pipeline. */
    public static Path history(PipelineConfig config) {
        return config.workDir().resolve("capture").resolve(DebeziumProperties.SCHEMA_HISTORY_FILE);
    }

    /** The mark beside a history file. */
    static Path mark(Path history) {
        return history.resolveSibling(COMPLETE_FILE);
    }

    /**
     * Deletes the history and its mark (a new copy starts: Debezium records the schema again).
     *
     * @throws BluegreenException (CONFIG_INVALID) when a file cannot be deleted, naming it
     */
    public static void discard(PipelineConfig config) {
        Path history = history(config);
        delete(mark(history));
        delete(history);
    }

    /**
     * Deletes a history that has no mark: Debezium's schema snapshot was cut short. Call before capture starts.
     * Not with {@code capture.snapshot: initial}, where Debezium's own snapshot owns the history (it runs again
     * by itself when it did not finish).
     *
     * @return true when one was deleted
     * @throws BluegreenException (CONFIG_INVALID) when it cannot be deleted, naming the file
     */
    public static boolean discardIfCutShort(PipelineConfig config) {
        Path history = history(config);
        if ("initial".equals(config.capture().snapshot())) {
            return false;
        }
        if (Files.exists(history) && !Files.exists(mark(history))) {
            LOG.warn("{} - capture's schema history {} was cut short (the process ended during Debezium's schema"
                    + " snapshot); discarding it: Debezium records the schema again and streams from the stored"
                    + " position", config.name(), history);
            delete(history);
            return true;
        }
        return false;
    }

    /**
     * Writes the mark beside the history file (idempotent).
     *
     * @throws IOException when it cannot be written
     */
    static void markComplete(Path history) throws IOException {
        Path mark = mark(history);
        if (!Files.exists(mark)) {
            Files.writeString(mark, "Debezium streamed after its schema snapshot: " + history.getFileName()
                    + " is whole\n");
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new BluegreenException(ErrorCode.CONFIG_INVALID, "cannot delete capture's schema history file " + file
                    + ": " + e.getMessage() + "; delete it by hand, then start the pipeline again", e);
        }
    }
}
