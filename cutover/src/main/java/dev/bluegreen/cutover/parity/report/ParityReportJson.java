package dev.bluegreen.cutover.parity.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.bluegreen.cutover.parity.Difference;
import dev.bluegreen.cutover.parity.ParityPositions;
import dev.bluegreen.cutover.parity.ParityReport;
import dev.bluegreen.cutover.parity.ParitySettings;
import dev.bluegreen.cutover.parity.TableParity;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * Writes a {@link ParityReport} as JSON, streaming (the differences are never capped and never built
 * into a tree). The format is documented by the JSON Schema {@value #SCHEMA_RESOURCE} (on the class
 * path; {@code schema} in the report names its version): CI gates read {@code result}, data teams read
 * {@code tables[].differences}. Stateless, thread-safe.
 */
public final class ParityReportJson {

    /** Class-path location of the JSON Schema of the report. */
    public static final String SCHEMA_RESOURCE = "/dev/bluegreen/cutover/parity/report/parity-report.schema.json";

    private static final JsonFactory FACTORY = new JsonFactory();

    private ParityReportJson() {
    }

    /** Writes the report (UTF-8, pretty-printed); does not close the stream. */
    public static void write(ParityReport r, OutputStream out) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.useDefaultPrettyPrinter();
            write(r, g);
        }
    }

    /** Writes the report with a generator the caller owns. */
    public static void write(ParityReport r, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("schema", ParityReport.SCHEMA);
        g.writeStringField("pipeline", r.pipeline());
        g.writeStringField("result", r.result());
        g.writeBooleanField("complete", r.complete());
        g.writeStringField("configFile", r.configFile());
        g.writeStringField("configSha256", r.configSha256());
        g.writeStringField("startedAt", r.startedAt().toString());
        g.writeStringField("finishedAt", r.finishedAt().toString());
        g.writeNumberField("durationMs", r.durationMs());
        g.writeNumberField("blueRows", r.blueRows());
        g.writeNumberField("chunks", r.chunks());
        g.writeNumberField("rowsPerSecond", Math.round(r.rowsPerSecond()));
        g.writeNumberField("chunksPerSecond", Math.round(r.chunksPerSecond() * 10) / 10.0);
        g.writeNumberField("mismatchedKeys", r.mismatchedKeys());
        settings(g, r.settings());
        g.writeObjectFieldStart("positions");
        positions(g, "start", r.start());
        positions(g, "end", r.end());
        g.writeEndObject();
        g.writeArrayFieldStart("tables");
        for (TableParity t : r.tables()) {
            table(g, t);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void settings(JsonGenerator g, ParitySettings s) throws IOException {
        g.writeObjectFieldStart("settings");
        g.writeNumberField("chunkSizeRows", s.chunkSizeRows());
        g.writeNumberField("maxRowsPerSecond", s.maxRowsPerSecond());
        g.writeStringField("path", s.path().jsonName());
        g.writeNumberField("recheckAttempts", s.recheckAttempts());
        g.writeNumberField("catchUpTimeoutMs", s.catchUpTimeout().toMillis());
        g.writeNumberField("lockedRecheckTimeoutMs", s.lockedRecheckTimeout().toMillis());
        g.writeNumberField("lockedRecheckMaxKeys", s.lockedRecheckMaxKeys());
        g.writeNumberField("bisectLeafRows", s.bisectLeafRows());
        g.writeEndObject();
    }

    private static void positions(JsonGenerator g, String name, ParityPositions p) throws IOException {
        g.writeObjectFieldStart(name);
        g.writeStringField("blueLsn", p.blueLsn() == null ? null : p.blueLsn().toString());
        g.writeObjectFieldStart("greenSinkOffsets");
        for (Map.Entry<String, Long> e : p.greenSinkOffsets().entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeNumberField("sinkAppliedBlueCommitMs", p.sinkAppliedBlueCommitMs());
        g.writeEndObject();
    }

    private static void table(JsonGenerator g, TableParity t) throws IOException {
        g.writeStartObject();
        g.writeStringField("blueTable", t.blueTable().toString());
        g.writeArrayFieldStart("greenTables");
        for (var gt : t.greenTables()) {
            g.writeString(gt.toString());
        }
        g.writeEndArray();
        g.writeStringField("verdict", t.verdict().jsonName());
        g.writeStringField("verdictText", t.verdictText());
        g.writeStringField("path", t.path().jsonName());
        g.writeStringField("pathReason", t.pathReason());
        g.writeNumberField("blueRows", t.blueRows());
        g.writeNumberField("greenRows", t.greenRows());
        g.writeNumberField("chunks", t.chunks());
        g.writeNumberField("chunksDiffering", t.chunksDiffering());
        g.writeNumberField("recheckedKeys", t.recheckedKeys());
        g.writeNumberField("mismatchedKeys", t.mismatchedKeys());
        g.writeStringField("startedAt", t.startedAt().toString());
        g.writeNumberField("durationMs", t.durationMs());
        g.writeNumberField("rowsPerSecond", Math.round(t.rowsPerSecond()));
        g.writeNumberField("chunksPerSecond", Math.round(t.chunksPerSecond() * 10) / 10.0);
        g.writeArrayFieldStart("differences");
        for (Difference d : t.differences()) {
            difference(g, d);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void difference(JsonGenerator g, Difference d) throws IOException {
        g.writeStartObject();
        g.writeStringField("kind", d.kind().jsonName());
        g.writeStringField("greenTable", d.greenTable().toString());
        g.writeFieldName("blueKey");
        JsonValues.row(g, d.blueKey());
        g.writeFieldName("greenKey");
        JsonValues.row(g, d.greenKey());
        g.writeArrayFieldStart("columns");
        for (String c : d.columns()) {
            g.writeString(c);
        }
        g.writeEndArray();
        g.writeFieldName("blue");
        JsonValues.row(g, d.expected());
        g.writeFieldName("green");
        JsonValues.row(g, d.actual());
        g.writeStringField("reason", d.reason());
        g.writeEndObject();
    }
}
