package dev.bluegreen.core.event.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.ChangeEvent;
import dev.bluegreen.core.event.Op;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.position.Lsn;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.core.value.Bytes;
import dev.bluegreen.core.value.Unavailable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Envelopes as Debezium's PostgreSQL connector writes them through JsonConverter with schemas. */
class DebeziumEnvelopeDecoderTest {

    private static final TableId T = new TableId("public", "t");

    private static final TableSchema SCHEMA = new TableSchema(T, List.of(
            col("id", ColumnType.of(TypeKind.INT32, "integer")),
            col("amount", new ColumnType(TypeKind.NUMERIC, "numeric(5,2)", -1, 5, 2, null)),
            col("ts", new ColumnType(TypeKind.TIMESTAMP, "timestamp without time zone", -1, -1, 6, null)),
            col("tstz", ColumnType.of(TypeKind.TIMESTAMPTZ, "timestamp with time zone")),
            col("d", ColumnType.of(TypeKind.DATE, "date")),
            col("body", ColumnType.of(TypeKind.TEXT, "text")),
            col("tags", new ColumnType(TypeKind.ARRAY, "text[]", -1, -1, -1, ColumnType.of(TypeKind.TEXT, "text"))),
            col("raw", ColumnType.of(TypeKind.BYTES, "bytea")),
            col("u", ColumnType.of(TypeKind.UUID, "uuid"))),
            List.of("id"), List.of(List.of("id")), false);

    private static ColumnSchema col(String name, ColumnType type) {
        return new ColumnSchema(name, type, true, false, false);
    }

    private static final String ROW_SCHEMA = """
            {"type":"struct","optional":true,"name":"bluegreen.x.public.t.Value","field":"%s","fields":[
              {"type":"int32","optional":false,"field":"id"},
              {"type":"string","optional":true,"field":"amount"},
              {"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1,"field":"ts"},
              {"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp","version":1,"field":"tstz"},
              {"type":"int32","optional":true,"name":"io.debezium.time.Date","version":1,"field":"d"},
              {"type":"string","optional":true,"field":"body"},
              {"type":"array","items":{"type":"string","optional":true},"optional":true,"field":"tags"},
              {"type":"bytes","optional":true,"field":"raw"},
              {"type":"string","optional":true,"name":"io.debezium.data.Uuid","version":1,"field":"u"}]}""";

    private static String envelope(String op, String before, String after, String snapshot) {
        return "{\"schema\":{\"type\":\"struct\",\"fields\":[" + ROW_SCHEMA.formatted("before") + ","
                + ROW_SCHEMA.formatted("after") + ",{\"type\":\"struct\",\"fields\":[],\"field\":\"source\"},"
                + "{\"type\":\"string\",\"field\":\"op\"}],\"name\":\"x.Envelope\"},\"payload\":{\"before\":" + before
                + ",\"after\":" + after + ",\"source\":{\"version\":\"3.5.0.Final\",\"connector\":\"postgresql\","
                + "\"ts_ms\":1700000000123,\"snapshot\":\"" + snapshot + "\",\"db\":\"app\",\"schema\":\"public\","
                + "\"table\":\"t\",\"txId\":777,\"lsn\":23456789},\"op\":\"" + op + "\",\"ts_ms\":1700000000200}}";
    }

    private static final String KEY = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,"
            + "\"field\":\"id\"}],\"optional\":false,\"name\":\"x.Key\"},\"payload\":{\"id\":7}}";

    private final DebeziumEnvelopeDecoder decoder = new DebeziumEnvelopeDecoder(Map.of(T, SCHEMA));

    @Test
    void decodesEveryTypeToItsCanonicalValue() {
        String after = "{\"id\":7,\"amount\":\"1.50\",\"ts\":1700000000123456,\"tstz\":\"2023-11-14T22:13:20.123456Z\","
                + "\"d\":19675,\"body\":\"héllo\",\"tags\":[\"a\",null],\"raw\":\"AAEC\","
                + "\"u\":\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"}";
        ChangeEvent e = decoder.decode(KEY, envelope("c", "null", after, "false"));
        assertThat(e.op()).isEqualTo(Op.CREATE);
        assertThat(e.table()).isEqualTo(T);
        assertThat(e.key()).isEqualTo(Row.ofPairs("id", 7L));
        assertThat(e.position()).isEqualTo(new Lsn(23456789));
        assertThat(e.commitTimeMs()).isEqualTo(1700000000123L);
        assertThat(e.lastSnapshotRowOfTable()).isFalse();
        Row r = e.after();
        assertThat(r.get("id")).isEqualTo(7L);
        assertThat(r.get("amount")).isEqualTo(new BigDecimal("1.50"));
        assertThat(r.get("amount")).isNotEqualTo(new BigDecimal("1.5"));
        assertThat(r.get("ts")).isEqualTo(LocalDateTime.of(2023, 11, 14, 22, 13, 20, 123456000));
        assertThat(r.get("tstz")).isEqualTo(Instant.parse("2023-11-14T22:13:20.123456Z"));
        assertThat(r.get("d")).isEqualTo(LocalDate.ofEpochDay(19675));
        assertThat(r.get("body")).isEqualTo("héllo");
        assertThat(r.get("tags")).isEqualTo(java.util.Arrays.asList("a", null));
        assertThat(r.get("raw")).isEqualTo(Bytes.of(new byte[] {0, 1, 2}));
        assertThat(r.get("u")).isEqualTo(UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
    }

    @Test
    void decodesEnvelopesWithoutSchemasFromTheCatalog() {
        String after = "{\"id\":7,\"amount\":\"1.50\",\"ts\":1700000000123456,\"tstz\":\"2023-11-14T22:13:20.123456Z\","
                + "\"d\":19675,\"body\":\"héllo\",\"tags\":[\"a\",null],\"raw\":\"AAEC\","
                + "\"u\":\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"}";
        String withSchema = envelope("c", "null", after, "false");
        String payloadOnly = withSchema.substring(withSchema.indexOf("\"payload\":") + 10, withSchema.length() - 1);
        ChangeEvent expected = decoder.decode(KEY, withSchema);
        ChangeEvent e = decoder.decode("{\"id\":7}", payloadOnly);
        assertThat(e).isEqualTo(expected);
    }

    @Test
    void rowsOfOneTableWithOtherColumnsKeepTheirOwnColumns() {
        // the decoder reuses a table's last row layout when the names match: a row with other
        // columns, or the same ones in another order, must not take the remembered layout
        String full = "{\"after\":{\"id\":1,\"body\":\"x\",\"d\":19675},\"source\":{\"schema\":\"public\","
                + "\"table\":\"t\",\"ts_ms\":1,\"lsn\":10},\"op\":\"c\"}";
        String fewer = "{\"after\":{\"id\":2,\"body\":\"y\"},\"source\":{\"schema\":\"public\","
                + "\"table\":\"t\",\"ts_ms\":1,\"lsn\":11},\"op\":\"c\"}";
        String reordered = "{\"after\":{\"body\":\"z\",\"id\":3},\"source\":{\"schema\":\"public\","
                + "\"table\":\"t\",\"ts_ms\":1,\"lsn\":12},\"op\":\"c\"}";
        ChangeEvent a = decoder.decode("{\"id\":1}", full);
        ChangeEvent b = decoder.decode("{\"id\":2}", fewer);
        ChangeEvent c = decoder.decode("{\"id\":3}", reordered);
        ChangeEvent again = decoder.decode("{\"id\":1}", full);
        assertThat(a.after().columns()).containsExactly("id", "body", "d");
        assertThat(b.after().columns()).containsExactly("id", "body");
        assertThat(b.after().get("body")).isEqualTo("y");
        assertThat(c.after().columns()).containsExactly("body", "id");
        assertThat(c.after().get("id")).isEqualTo(3L);
        assertThat(again).isEqualTo(a);
        assertThat(c.key().get("id")).isEqualTo(3L);
    }

    @Test
    void millisecondTimestampsWithoutSchemaFollowTheColumnPrecision() {
        TableSchema ms = new TableSchema(T, List.of(col("id", ColumnType.of(TypeKind.INT32, "integer")),
                col("at", new ColumnType(TypeKind.TIMESTAMP, "timestamp(3) without time zone", -1, -1, 3, null))),
                List.of("id"), List.of(List.of("id")), false);
        DebeziumEnvelopeDecoder d = new DebeziumEnvelopeDecoder(Map.of(T, ms));
        ChangeEvent e = d.decode("{\"id\":1}", "{\"before\":null,\"after\":{\"id\":1,\"at\":1700000000123},"
                + "\"source\":{\"ts_ms\":1,\"snapshot\":\"false\",\"schema\":\"public\",\"table\":\"t\"},\"op\":\"c\"}");
        assertThat(e.after().get("at")).isEqualTo(LocalDateTime.of(2023, 11, 14, 22, 13, 20, 123_000_000));
    }

    @Test
    void unchangedToastPlaceholderBecomesUnavailable() {
        String after = "{\"id\":7,\"amount\":\"2.00\",\"ts\":null,\"tstz\":null,\"d\":null,"
                + "\"body\":\"__debezium_unavailable_value\",\"tags\":[\"__debezium_unavailable_value\"],"
                + "\"raw\":\"X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==\",\"u\":null}";
        Row r = decoder.decode(KEY, envelope("u", "null", after, "false")).after();
        assertThat(r.get("body")).isSameAs(Unavailable.VALUE);
        assertThat(r.get("tags")).isSameAs(Unavailable.VALUE);
        assertThat(r.get("raw")).isSameAs(Unavailable.VALUE);
        assertThat(r.get("ts")).isNull();
    }

    @Test
    void deleteCarriesTheKeyAndNoAfterRow() {
        ChangeEvent e = decoder.decode(KEY, envelope("d", "{\"id\":7,\"amount\":\"0\",\"ts\":0,\"tstz\":\"1970-01-01T00:00:00Z\","
                + "\"d\":0,\"body\":\"\",\"tags\":null,\"raw\":null,\"u\":null}", "null", "false"));
        assertThat(e.op()).isEqualTo(Op.DELETE);
        assertThat(e.after()).isNull();
        assertThat(e.key()).isEqualTo(Row.ofPairs("id", 7L));
    }

    @Test
    void tombstoneDecodesToNothing() {
        assertThat(decoder.decode(KEY, null)).isNull();
    }

    @Test
    void snapshotMarkerOfTheTablesLastRowIsKept() {
        String after = "{\"id\":7,\"amount\":null,\"ts\":null,\"tstz\":null,\"d\":null,\"body\":null,\"tags\":null,"
                + "\"raw\":null,\"u\":null}";
        ChangeEvent e = decoder.decode(KEY, envelope("r", "null", after, "last_in_data_collection"));
        assertThat(e.op()).isEqualTo(Op.READ);
        assertThat(e.lastSnapshotRowOfTable()).isTrue();
    }

    @Test
    void unknownTableAndBadJsonAreRowConversionErrors() {
        assertThatThrownBy(() -> decoder.decode(KEY, envelope("c", "null", "{}", "false").replace("\"table\":\"t\"",
                "\"table\":\"other\""))).isInstanceOf(RowConversionException.class).hasMessageContaining("public.other");
        assertThatThrownBy(() -> decoder.decode(KEY, "{not json")).isInstanceOf(RowConversionException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void keyAloneDecodesWithOrWithoutSchemaAndNamesAnUnknownTable() {
        assertThat(decoder.decodeKey(T, KEY)).isEqualTo(Row.ofPairs("id", 7L));
        assertThat(decoder.decodeKey(T, "{\"id\":8}")).isEqualTo(Row.ofPairs("id", 8L));
        assertThatThrownBy(() -> decoder.decodeKey(new TableId("public", "other"), "{\"id\":8}"))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("public.other");
        assertThatThrownBy(() -> decoder.decodeKey(T, "{\"nope\":8}")).isInstanceOf(RowConversionException.class)
                .hasMessageContaining("'nope'");
    }

    private static final TableSchema NUMBERS = new TableSchema(T, List.of(col("id", ColumnType.of(TypeKind.INT64, "bigint")),
            col("f4", ColumnType.of(TypeKind.FLOAT32, "real")), col("f8", ColumnType.of(TypeKind.FLOAT64, "double precision")),
            col("d", ColumnType.of(TypeKind.DATE, "date")), col("body", ColumnType.of(TypeKind.TEXT, "text"))),
            List.of("id"), List.of(List.of("id")), false);

    private static String schemaless(String after) {
        return "{\"before\":{\"id\":1,\"f4\":null},\"after\":" + after + ",\"source\":{\"version\":\"3.5.0.Final\","
                + "\"ts_ms\":5,\"snapshot\":null,\"db\":\"app\",\"sequence\":\"[\\\"1\\\",\\\"2\\\"]\",\"schema\":\"public\","
                + "\"table\":\"t\",\"txId\":9,\"lsn\":42,\"xmin\":null},\"transaction\":{\"id\":\"9:42\",\"total_order\":1,"
                + "\"data_collection_order\":1},\"op\":\"u\",\"ts_ms\":6,\"ts_us\":6000,\"ts_ns\":6000000}";
    }

    @Test
    void nonFiniteFloatsArriveAsJacksonWritesThem() {
        // JsonConverter writes NaN and the infinities as the strings Jackson gives them; a tree's
        // floatValue() of such a string was 0, a silent wrong value
        DebeziumEnvelopeDecoder d = new DebeziumEnvelopeDecoder(Map.of(T, NUMBERS));
        Row r = d.decode("{\"id\":1}", schemaless("{\"id\":1,\"f4\":\"NaN\",\"f8\":\"-Infinity\",\"d\":0}")).after();
        assertThat((Float) r.get("f4")).isNaN();
        assertThat(r.get("f8")).isEqualTo(Double.NEGATIVE_INFINITY);
        Row finite = d.decode("{\"id\":1}", schemaless("{\"id\":1,\"f4\":1.5,\"f8\":2,\"d\":1}")).after();
        assertThat(finite.get("f4")).isEqualTo(1.5f);
        assertThat(finite.get("f8")).isEqualTo(2.0d);
    }

    @Test
    void streamingReadSkipsBeforeTransactionAndUnknownFields() {
        DebeziumEnvelopeDecoder d = new DebeziumEnvelopeDecoder(Map.of(T, NUMBERS));
        ChangeEvent e = d.decode("{\"id\":1}", schemaless("{\"id\":1,\"f4\":null,\"f8\":null,\"d\":19675,"
                + "\"body\":\"x\"}"));
        assertThat(e.op()).isEqualTo(Op.UPDATE);
        assertThat(e.position()).isEqualTo(new Lsn(42));
        assertThat(e.commitTimeMs()).isEqualTo(5);
        assertThat(e.lastSnapshotRowOfTable()).isFalse();
        assertThat(e.after().columns()).containsExactly("id", "f4", "f8", "d", "body");
        assertThat(e.after().get("d")).isEqualTo(LocalDate.ofEpochDay(19675));
        assertThat(e.after().get("body")).isEqualTo("x");
    }

    @Test
    void valuesThatDoNotFitTheColumnNameTableColumnAndValue() {
        DebeziumEnvelopeDecoder d = new DebeziumEnvelopeDecoder(Map.of(T, NUMBERS));
        assertThatThrownBy(() -> d.decode("{\"id\":1}", schemaless("{\"id\":123456789012345678901234567890}")))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("public.t.id")
                .hasMessageContaining("123456789012345678901234567890");
        assertThatThrownBy(() -> d.decode("{\"id\":1}", schemaless("{\"id\":1,\"d\":\"2024-01-01\"}")))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("public.t.d")
                .hasMessageContaining("\"2024-01-01\"");
        assertThatThrownBy(() -> d.decode("{\"id\":1}", schemaless("{\"id\":1,\"body\":{\"a\":1}}")))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("public.t.body")
                .hasMessageContaining("JSON object");
        assertThatThrownBy(() -> d.decode("{\"id\":1}", schemaless("{\"id\":1,\"f8\":\"many\"}")))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("public.t.f8");
        assertThatThrownBy(() -> d.decode("{\"id\":1}", "[1]")).isInstanceOf(RowConversionException.class)
                .hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> d.decode("{\"id\":", schemaless("{\"id\":1}"))).isInstanceOf(RowConversionException.class)
                .hasMessageContaining("key is not valid JSON");
        assertThatThrownBy(() -> d.decode("{\"id\":1}", "{\"before\":null,\"after\":{\"id\":1},\"source\":{\"schema\""))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("value is not valid JSON");
    }

    @Test
    void infiniteDatesAndTimestampsDecodeToTheCopysMaxAndMin() {
        // Debezium's encodings of PostgreSQL's infinity; the binary COPY reader gives MAX / MIN
        TableSchema times = new TableSchema(T, List.of(col("id", ColumnType.of(TypeKind.INT32, "integer")),
                col("d", ColumnType.of(TypeKind.DATE, "date")), col("tm", new ColumnType(TypeKind.TIME, "time", -1, -1, 6, null)),
                col("ts", new ColumnType(TypeKind.TIMESTAMP, "timestamp", -1, -1, 6, null)),
                col("ts3", new ColumnType(TypeKind.TIMESTAMP, "timestamp(3)", -1, -1, 3, null)),
                col("tstz", ColumnType.of(TypeKind.TIMESTAMPTZ, "timestamp with time zone"))),
                List.of("id"), List.of(List.of("id")), false);
        DebeziumEnvelopeDecoder d = new DebeziumEnvelopeDecoder(Map.of(T, times));
        String src = ",\"source\":{\"schema\":\"public\",\"table\":\"t\",\"ts_ms\":1,\"lsn\":1},\"op\":\"c\"}";
        Row plus = d.decode("{\"id\":1}", "{\"after\":{\"id\":1,\"d\":-2147472692,\"tm\":86400000000,"
                + "\"ts\":9223372036825200000,\"ts3\":9223372036825200,\"tstz\":\"infinity\"}" + src).after();
        assertThat(plus).isEqualTo(Row.ofPairs("id", 1L, "d", LocalDate.MAX, "tm", java.time.LocalTime.MAX,
                "ts", LocalDateTime.MAX, "ts3", LocalDateTime.MAX, "tstz", java.time.OffsetDateTime.MAX.toInstant()));
        Row minus = d.decode("{\"id\":2}", "{\"after\":{\"id\":2,\"d\":-2147472691,\"tm\":0,"
                + "\"ts\":-9223372036832400000,\"ts3\":-9223372036832400,\"tstz\":\"-infinity\"}" + src).after();
        assertThat(minus).isEqualTo(Row.ofPairs("id", 2L, "d", LocalDate.MIN, "tm", java.time.LocalTime.MIDNIGHT,
                "ts", LocalDateTime.MIN, "ts3", LocalDateTime.MIN, "tstz", java.time.OffsetDateTime.MIN.toInstant()));
    }
}
