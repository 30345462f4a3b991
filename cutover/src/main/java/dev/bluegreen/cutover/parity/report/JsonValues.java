package dev.bluegreen.cutover.parity.report;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.bluegreen.core.event.Row;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;

/**
 * Canonical values as JSON, as documented in the report schema: NULL as {@code null}; integers and
 * decimals as JSON numbers written exactly (a decimal keeps its scale: {@code 1.50}); floats as numbers
 * (NaN and infinities as strings); booleans; text, enums, json and tsvector as strings; dates and times
 * as ISO-8601 strings (timestamptz in UTC with {@code Z}); bytea as {@code "\\x..."}; uuids as strings;
 * arrays as JSON arrays. Stateless.
 */
public final class JsonValues {

    private JsonValues() {
    }

    /** Writes a row as an object of column to value, or {@code null}. */
    public static void row(JsonGenerator g, Row row) throws IOException {
        if (row == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        for (String c : row.columns()) {
            g.writeFieldName(c);
            value(g, row.get(c));
        }
        g.writeEndObject();
    }

    /** Writes one canonical value. */
    public static void value(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof BigDecimal d) {
            g.writeNumber(d.toPlainString());
        } else if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                g.writeString(d.toString());
            } else {
                g.writeNumber(d);
            }
        } else if (v instanceof Float f) {
            if (f.isNaN() || f.isInfinite()) {
                g.writeString(f.toString());
            } else {
                g.writeNumber(f);
            }
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object e : list) {
                value(g, e);
            }
            g.writeEndArray();
        } else {
            g.writeString(v.toString()); // String, temporal (ISO-8601), Instant (UTC, Z), Bytes (\x..), UUID
        }
    }
}
