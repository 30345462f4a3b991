package dev.bluegreen.cutover.parity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bluegreen.cutover.parity.report.ParityReportJson;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;

/**
 * Plain test helper: checks a JSON report against the documented schema's structure (every
 * {@code required} property present, {@code enum} and {@code const} values respected, recursively
 * through {@code properties}, {@code items} and local {@code $ref}s). Not a full JSON Schema validator.
 */
final class ReportSchemaAssert {

    private ReportSchemaAssert() {
    }

    static void conforms(JsonNode report) throws IOException {
        JsonNode schema;
        try (InputStream in = ReportSchemaAssert.class.getResourceAsStream(ParityReportJson.SCHEMA_RESOURCE)) {
            schema = new ObjectMapper().readTree(in);
        }
        check(schema, schema, report, "$");
    }

    private static void check(JsonNode root, JsonNode s, JsonNode v, String path) {
        if (s.has("$ref")) {
            String ref = s.get("$ref").asText();
            check(root, root.at(ref.substring(1)), v, path);
            return;
        }
        if (s.has("const")) {
            assertThat(v).as(path).isEqualTo(s.get("const"));
        }
        if (s.has("enum")) {
            assertThat(s.get("enum")).as(path + " is one of the schema's values").contains(v);
        }
        if (v.isObject()) {
            s.path("required").forEach(r -> assertThat(v.has(r.asText())).as(path + "." + r.asText() + " present").isTrue());
            for (Iterator<Map.Entry<String, JsonNode>> it = s.path("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                if (v.has(p.getKey())) {
                    check(root, p.getValue(), v.get(p.getKey()), path + "." + p.getKey());
                }
            }
        }
        if (v.isArray() && s.has("items")) {
            int i = 0;
            for (JsonNode e : v) {
                check(root, s.get("items"), e, path + "[" + i++ + "]");
            }
        }
    }
}
