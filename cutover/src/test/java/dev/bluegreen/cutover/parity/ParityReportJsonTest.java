package dev.bluegreen.cutover.parity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.position.Lsn;
import dev.bluegreen.cutover.parity.report.ParityReportHtml;
import dev.bluegreen.cutover.parity.report.ParityReportJson;
import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 3: the JSON report lists every differing key (no cap) in the documented schema; the HTML is safe. */
class ParityReportJsonTest {

    private static final TableId BLUE = new TableId("public", "items");
    private static final TableId GREEN = new TableId("shop", "items");

    @Test
    void everyDifferenceIsListedAndTheReportConformsToItsSchema() throws Exception {
        List<Difference> diffs = new ArrayList<>();
        for (long k = 0; k < 25_000; k++) {
            diffs.add(new Difference(DifferenceKind.DIFFERING, GREEN, Row.ofPairs("id", k), Row.ofPairs("item_id", k),
                    List.of("price"), Row.ofPairs("item_id", k, "price", new BigDecimal("1.50")),
                    Row.ofPairs("item_id", k, "price", new BigDecimal("1.5")), null));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ParityReportJson.write(report(diffs), out);
        JsonNode root = new ObjectMapper().readTree(out.toByteArray());
        assertThat(root.at("/tables/0/differences").size()).isEqualTo(25_000);
        assertThat(root.get("mismatchedKeys").asLong()).isEqualTo(25_000);
        assertThat(root.at("/tables/0/verdictText").asText()).isEqualTo("mismatch (25000 keys)");
        assertThat(out.toString()).contains("\"price\" : 1.50").contains("\"price\" : 1.5\n");
        ReportSchemaAssert.conforms(root);
    }

    @Test
    void htmlEmbedsValuesWithoutLettingThemEndTheScript() throws Exception {
        Difference evil = new Difference(DifferenceKind.DIFFERING, GREEN, Row.ofPairs("id", 1L), Row.ofPairs("item_id", 1L),
                List.of("name"), Row.ofPairs("item_id", 1L, "name", "</script><script>alert(1)</script>"),
                Row.ofPairs("item_id", 1L, "name", "x"), null);
        StringWriter html = new StringWriter();
        ParityReportHtml.write(report(List.of(evil)), html);
        assertThat(html.toString()).doesNotContain("<script>alert(1)").contains("\\u003C/script\\u003E")
                .contains("mismatch (1 keys)");
    }

    private static ParityReport report(List<Difference> diffs) {
        Instant t = Instant.parse("2024-05-01T10:00:00Z");
        TableParity table = new TableParity(BLUE, List.of(GREEN), VerifyPath.STREAMING, "streaming was asked for", 30_000,
                30_000, 6, 6, diffs.size(), TableVerdict.MISMATCH, diffs, t, 1_500);
        ParityPositions p = new ParityPositions(Lsn.parse("0/16B3748"), Map.of("bluegreen.x.public.items/0", 42L), 1L);
        return new ParityReport("x", "pipeline.yaml", "a".repeat(64), ParitySettings.defaults(), true, t,
                t.plusSeconds(2), p, p, List.of(table));
    }
}
