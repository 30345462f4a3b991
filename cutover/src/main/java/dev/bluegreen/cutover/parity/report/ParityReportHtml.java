package dev.bluegreen.cutover.parity.report;

import static org.apache.commons.text.StringEscapeUtils.escapeHtml4;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import dev.bluegreen.cutover.parity.ParityReport;
import dev.bluegreen.cutover.parity.TableParity;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Writes a {@link ParityReport} as one self-contained HTML file (inline style and script, nothing
 * loaded from elsewhere) for data teams: the run's summary, per table the row counts, chunks, result and
 * timings, and the differing rows side by side (blue value through the mapping next to the green
 * value, differing cells marked), 50 per page. The full JSON report is embedded in the page and the
 * differences are rendered from it by the script, with text set as text (never as markup). Stateless.
 */
public final class ParityReportHtml {

    private static final String TEMPLATE = "/dev/bluegreen/cutover/parity/report/parity-report.html";

    private ParityReportHtml() {
    }

    /** Writes the page; does not close the writer. */
    public static void write(ParityReport r, Writer out) throws IOException {
        String page = template()
                .replace("{{title}}", escapeHtml4("bluegreen parity report: " + r.pipeline() + " (" + r.result() + ")"))
                .replace("{{summary}}", summary(r))
                .replace("{{tables}}", tables(r))
                .replace("{{data}}", embeddedJson(r));
        out.write(page);
    }

    private static String summary(ParityReport r) {
        StringBuilder sb = new StringBuilder("<dl class=\"summary\">");
        item(sb, "pipeline", r.pipeline());
        item(sb, "result", r.parity() ? "PARITY" : "MISMATCH (" + r.mismatchedKeys() + " keys)");
        item(sb, "tables", r.tables().size() + (r.complete() ? " (all mapped tables)" : " (a subset: --tables)"));
        item(sb, "started / finished", r.startedAt() + " / " + r.finishedAt() + " (" + r.durationMs() + " ms)");
        item(sb, "throughput", String.format(Locale.ROOT, "%,d blue rows, %,.0f rows/s, %,.1f chunks/s", r.blueRows(),
                r.rowsPerSecond(), r.chunksPerSecond()));
        item(sb, "config", r.configFile() + " (SHA-256 " + r.configSha256() + ")");
        if (r.start().blueLsn() != null) {
            item(sb, "blue position (start / end)", r.start().blueLsn() + " / " + r.end().blueLsn());
        }
        item(sb, "green sink offsets (end)", r.end().greenSinkOffsets().toString());
        return sb.append("</dl>").toString();
    }

    private static void item(StringBuilder sb, String name, String value) {
        sb.append("<dt>").append(escapeHtml4(name)).append("</dt><dd>").append(escapeHtml4(String.valueOf(value)))
                .append("</dd>");
    }

    private static String tables(ParityReport r) {
        StringBuilder sb = new StringBuilder("<table class=\"tables\"><thead><tr><th>blue table</th><th>green tables</th>"
                + "<th>result</th><th>path</th><th>blue rows</th><th>green rows</th><th>chunks</th>"
                + "<th>chunks differing</th><th>rechecked keys</th><th>time</th><th>rows/s</th></tr></thead><tbody>");
        for (TableParity t : r.tables()) {
            sb.append("<tr class=\"").append(t.verdict().jsonName()).append("\">");
            cell(sb, t.blueTable().toString());
            cell(sb, t.greenTables().toString());
            cell(sb, t.verdictText());
            sb.append("<td title=\"").append(escapeHtml4(t.pathReason())).append("\">").append(t.path().jsonName())
                    .append("</td>");
            cell(sb, String.format(Locale.ROOT, "%,d", t.blueRows()));
            cell(sb, String.format(Locale.ROOT, "%,d", t.greenRows()));
            cell(sb, String.format(Locale.ROOT, "%,d", t.chunks()));
            cell(sb, String.format(Locale.ROOT, "%,d", t.chunksDiffering()));
            cell(sb, String.format(Locale.ROOT, "%,d", t.recheckedKeys()));
            cell(sb, t.durationMs() + " ms");
            cell(sb, String.format(Locale.ROOT, "%,.0f", t.rowsPerSecond()));
            sb.append("</tr>");
        }
        return sb.append("</tbody></table>").toString();
    }

    private static void cell(StringBuilder sb, String text) {
        sb.append("<td>").append(escapeHtml4(text)).append("</td>");
    }

    /** The JSON report, safe inside a script element ({@code <}, {@code >}, {@code &} escaped). */
    private static String embeddedJson(ParityReport r) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.setCharacterEscapes(new ScriptSafe());
            ParityReportJson.write(r, g);
        }
        return w.toString();
    }

    private static String template() throws IOException {
        try (InputStream in = ParityReportHtml.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IOException("the HTML report template " + TEMPLATE + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Escapes the characters that could end a script element or start markup. */
    private static final class ScriptSafe extends CharacterEscapes {
        private final int[] escapes;

        ScriptSafe() {
            escapes = standardAsciiEscapesForJSON();
            escapes['<'] = ESCAPE_STANDARD;
            escapes['>'] = ESCAPE_STANDARD;
            escapes['&'] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return escapes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return null;
        }
    }
}
