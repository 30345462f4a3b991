package dev.bluegreen.cutover.finalcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.core.event.Markers;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.event.envelope.DebeziumEnvelopeDecoder;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.core.schema.TypeKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 4, item 6: which blue keys a stretch of table-topic records names. */
class ChangedKeysTest {

    private static final TableId COUNTERS = new TableId("public", "counters");
    private static final TableId LINES = new TableId("public", "lines");
    private static final String COUNTERS_TOPIC = "bluegreen.p.public.counters";
    private static final String LINES_TOPIC = "bluegreen.p.public.lines";

    private final ChangedKeys changed = new ChangedKeys(Map.of(COUNTERS_TOPIC, COUNTERS, LINES_TOPIC, LINES),
            Map.of(COUNTERS, List.of("id"), LINES, List.of("order_id", "line")),
            new DebeziumEnvelopeDecoder(Map.of(COUNTERS, table(COUNTERS, List.of("id"), "id", "n"),
                    LINES, table(LINES, List.of("line", "order_id"), "order_id", "line", "qty"))));

    @Test
    void keepsEachChangedKeyOncePerTableWhateverTheOperationInFirstSeenOrder() {
        changed.accept(change(COUNTERS_TOPIC, 0, 10, "{\"id\":5}", envelope("counters", "u")));
        changed.accept(change(COUNTERS_TOPIC, 1, 3, "{\"id\":9}", envelope("counters", "c")));
        changed.accept(change(COUNTERS_TOPIC, 0, 11, "{\"id\":5}", envelope("counters", "u")));
        changed.accept(change(COUNTERS_TOPIC, 0, 12, "{\"id\":7}", envelope("counters", "d")));
        changed.accept(change(COUNTERS_TOPIC, 0, 13, "{\"id\":5}", envelope("counters", "r")));

        assertThat(changed.tables()).containsExactly(COUNTERS);
        assertThat(changed.keys(COUNTERS)).containsExactly(Row.ofPairs("id", 5L), Row.ofPairs("id", 9L),
                Row.ofPairs("id", 7L));
        assertThat(changed.distinctKeys()).isEqualTo(3);
        assertThat(changed.records()).isEqualTo(5);
        assertThat(changed.keys(LINES)).isEmpty();
    }

    @Test
    void skipsTombstonesAndBluegreenMarkers() {
        changed.accept(change(COUNTERS_TOPIC, 0, 1, "{\"id\":7}", envelope("counters", "d")));
        changed.accept(change(COUNTERS_TOPIC, 0, 2, "{\"id\":8}", null)); // a tombstone alone names no change
        changed.accept(change(COUNTERS_TOPIC, 0, 3, null, Markers.watermark(new Markers.Watermark(4, 1_700_000_000_000L,
                "0/16B3748"))));
        changed.accept(change(COUNTERS_TOPIC, 0, 4, null, Markers.snapshotComplete("public.counters")));

        assertThat(changed.keys(COUNTERS)).containsExactly(Row.ofPairs("id", 7L));
        assertThat(changed.records()).isEqualTo(4);
        assertThat(changed.truncates()).isEmpty();
    }

    @Test
    void projectsKeysOntoTheTablesKeyColumnsInKeyOrderAndKeepsTablesApart() {
        changed.accept(change(LINES_TOPIC, 0, 1, "{\"line\":2,\"order_id\":40}", envelope("lines", "c")));
        changed.accept(change(LINES_TOPIC, 0, 2, "{\"order_id\":40,\"line\":2}", envelope("lines", "u")));
        changed.accept(change(COUNTERS_TOPIC, 0, 1, "{\"id\":40}", envelope("counters", "c")));

        assertThat(changed.tables()).containsExactly(LINES, COUNTERS);
        assertThat(changed.keys(LINES)).containsExactly(Row.ofPairs("order_id", 40L, "line", 2L));
        assertThat(changed.keys(COUNTERS)).containsExactly(Row.ofPairs("id", 40L));
    }

    @Test
    void recordsATruncateInsteadOfAKey() {
        changed.accept(change(COUNTERS_TOPIC, 0, 20, null, envelope("counters", "t")));
        changed.accept(change(COUNTERS_TOPIC, 0, 21, null, envelope("counters", "t")));

        assertThat(changed.truncates()).containsExactly(Map.entry(COUNTERS, COUNTERS_TOPIC + "/0@20"));
        assertThat(changed.tables()).isEmpty();
    }

    @Test
    void aRecordWhoseRowCannotBeNamedFailsWithItsPosition() {
        assertThatThrownBy(() -> changed.accept(change(COUNTERS_TOPIC, 0, 5, "{\"nope\":1}", envelope("counters", "c"))))
                .isInstanceOf(BluegreenException.class).hasMessageContaining(COUNTERS_TOPIC + "/0@5")
                .hasMessageContaining("'nope'").extracting(e -> ((BluegreenException) e).code())
                .isEqualTo(ErrorCode.PARITY_MISMATCH);
        assertThatThrownBy(() -> changed.accept(change(COUNTERS_TOPIC, 0, 6, null, envelope("counters", "c"))))
                .isInstanceOf(BluegreenException.class).hasMessageContaining("no key");
        assertThatThrownBy(() -> changed.accept(change("bluegreen.p.public.other", 0, 7, "{\"id\":1}", "{}")))
                .isInstanceOf(BluegreenException.class).hasMessageContaining("none of the pipeline's tables");
    }

    private static ChangeRecord change(String topic, int partition, long offset, String key, String value) {
        return new ChangeRecord(topic, partition, offset, key, value);
    }

    private static String envelope(String table, String op) {
        return "{\"before\":null,\"after\":null,\"source\":{\"connector\":\"postgresql\",\"ts_ms\":1700000000123,"
                + "\"snapshot\":\"false\",\"schema\":\"public\",\"table\":\"" + table + "\",\"lsn\":23456789},\"op\":\""
                + op + "\",\"ts_ms\":1700000000200}";
    }

    private static TableSchema table(TableId id, List<String> key, String... columns) {
        List<ColumnSchema> cols = java.util.Arrays.stream(columns)
                .map(c -> new ColumnSchema(c, ColumnType.of(TypeKind.INT64, "bigint"), false, false, false)).toList();
        return new TableSchema(id, cols, key, List.of(), false);
    }
}
