package dev.bluegreen.transform;

import static dev.bluegreen.transform.TestTables.BIGINT;
import static dev.bluegreen.transform.TestTables.BOOL;
import static dev.bluegreen.transform.TestTables.INT;
import static dev.bluegreen.transform.TestTables.SMALLINT;
import static dev.bluegreen.transform.TestTables.TEXT;
import static dev.bluegreen.transform.TestTables.TS;
import static dev.bluegreen.transform.TestTables.TSTZ;
import static dev.bluegreen.transform.TestTables.mapping;
import static dev.bluegreen.transform.TestTables.numeric;
import static dev.bluegreen.transform.TestTables.table;
import static dev.bluegreen.transform.TestTables.varchar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.transform.cast.Cast;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every declared cast: its conversion, its limits and its failures. */
class CastsTest {

    /** Compiles {@code public.t(id integer, v <blue>)} to {@code g.t(id integer, w <green>)} with a cast on v. */
    private static CompiledMapping cast(ColumnType blue, ColumnType green, String cast, Map<String, String> options) {
        TableSchema b = table("public.t").col("id", INT).col("v", blue).pk("id").build();
        TableSchema g = table("g.t").col("id", INT).col("w", green).pk("id").build();
        return mapping("public.t", "g.t").cast("v", "w", cast, options).compile(b, g);
    }

    private static Object mapped(CompiledMapping m, Object value) {
        return m.map(Row.ofPairs("id", 1L, "v", value)).get(0).row().get("w");
    }

    @Test
    void bigintWidensAnyInteger() {
        CompiledMapping m = cast(SMALLINT, BIGINT, "bigint", Map.of());

        assertThat(mapped(m, -32768L)).isEqualTo(-32768L);
        assertThat(mapped(m, null)).isNull();
    }

    @Test
    void integerNarrowsWithARangeCheck() {
        CompiledMapping m = cast(BIGINT, INT, "integer", Map.of());

        assertThat(mapped(m, 2_147_483_647L)).isEqualTo(2_147_483_647L);
        assertThatThrownBy(() -> mapped(m, 2_147_483_648L))
                .isInstanceOf(RowConversionException.class)
                .hasMessageContaining("public.t key {id=1}")
                .hasMessageContaining("column v (cast integer) -> g.t.w")
                .hasMessageContaining("v=2147483648")
                .hasMessageContaining("out of range for integer");
    }

    @Test
    void smallintNarrowsWithARangeCheck() {
        CompiledMapping m = cast(INT, SMALLINT, "smallint", Map.of());

        assertThat(mapped(m, 300L)).isEqualTo(300L);
        assertThatThrownBy(() -> mapped(m, 40_000L))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("out of range for smallint");
    }

    @Test
    void minorUnitsUseTheBlueScaleByDefault() {
        CompiledMapping m = cast(numeric(10, 2), BIGINT, "minor-units", Map.of());

        assertThat(mapped(m, new BigDecimal("12.34"))).isEqualTo(1234L);
        assertThat(mapped(m, new BigDecimal("-0.50"))).isEqualTo(-50L);
        assertThat(mapped(m, new BigDecimal("0.00"))).isEqualTo(0L);
    }

    @Test
    void minorUnitsWithAnExplicitScaleRejectFractionsAndOverflow() {
        CompiledMapping m = cast(numeric(30, 3), BIGINT, "minor-units", Map.of("scale", "2"));

        assertThat(mapped(m, new BigDecimal("12.340"))).isEqualTo(1234L);
        assertThatThrownBy(() -> mapped(m, new BigDecimal("12.345")))
                .isInstanceOf(RowConversionException.class)
                .hasMessageContaining("v=12.345").hasMessageContaining("fractional minor units");
        assertThatThrownBy(() -> mapped(m, new BigDecimal("100000000000000000000.000")))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("overflows");
    }

    @Test
    void minorUnitsIntoIntegerAreRangeChecked() {
        CompiledMapping m = cast(numeric(12, 2), INT, "minor-units", Map.of());

        assertThat(mapped(m, new BigDecimal("21474836.47"))).isEqualTo(2_147_483_647L);
        assertThatThrownBy(() -> mapped(m, new BigDecimal("21474836.48")))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("out of range for integer");
    }

    @Test
    void booleanAcceptsOnlyZeroAndOne() {
        CompiledMapping m = cast(INT, BOOL, "boolean", Map.of());

        assertThat(mapped(m, 1L)).isEqualTo(true);
        assertThat(mapped(m, 0L)).isEqualTo(false);
        assertThat(mapped(m, null)).isNull();
        assertThatThrownBy(() -> mapped(m, 2L))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("neither 0 nor 1");
    }

    @Test
    void varcharChecksTheGreenLengthInCharacters() {
        CompiledMapping m = cast(TEXT, varchar(5), "varchar", Map.of());

        assertThat(mapped(m, "héllo")).isEqualTo("héllo");
        assertThatThrownBy(() -> mapped(m, "toolong"))
                .isInstanceOf(RowConversionException.class)
                .hasMessageContaining("v='toolong'")
                .hasMessageContaining("longer than character varying(5)");
    }

    @Test
    void timestamptzReadsLocalTimesInTheDeclaredZone() {
        CompiledMapping m = cast(TS, TSTZ, "timestamptz", Map.of("zone", "Europe/Paris"));

        assertThat(mapped(m, LocalDateTime.of(2024, 1, 15, 12, 0))).isEqualTo(Instant.parse("2024-01-15T11:00:00Z"));
        assertThat(mapped(m, LocalDateTime.of(2024, 7, 15, 12, 0, 0, 123_456_000)))
                .isEqualTo(Instant.parse("2024-07-15T10:00:00.123456Z"));
    }

    @Test
    void timestamptzUsesTheEarlierOffsetInAnOverlap() {
        CompiledMapping m = cast(TS, TSTZ, "timestamptz", Map.of("zone", "Europe/Paris"));

        // 02:30 happens twice on 2024-10-27 in Paris: first at +02:00, then at +01:00
        assertThat(mapped(m, LocalDateTime.of(2024, 10, 27, 2, 30))).isEqualTo(Instant.parse("2024-10-27T00:30:00Z"));
    }

    @Test
    void timestamptzRejectsALocalTimeInADaylightSavingGap() {
        CompiledMapping m = cast(TS, TSTZ, "timestamptz", Map.of("zone", "Europe/Paris"));

        // 02:30 never happens on 2024-03-31 in Paris: clocks jump from 02:00 to 03:00
        assertThatThrownBy(() -> mapped(m, LocalDateTime.of(2024, 3, 31, 2, 30)))
                .isInstanceOf(RowConversionException.class)
                .hasMessageContaining("public.t key {id=1}")
                .hasMessageContaining("2024-03-31T02:30")
                .hasMessageContaining("daylight-saving gap");
    }

    @Test
    void castOfAValueOfTheWrongClassIsARowErrorNotACrash() {
        assertThatThrownBy(() -> Cast.BOOLEAN.apply("1", Cast.Options.NONE))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("is not a Long");
    }

    @Test
    void convertingListsTheCastsThatFitAPairOfTypes() {
        assertThat(Cast.converting(BIGINT, SMALLINT)).containsExactly(Cast.SMALLINT);
        assertThat(Cast.converting(numeric(10, 2), INT)).containsExactly(Cast.MINOR_UNITS);
        assertThat(Cast.converting(TEXT, TEXT)).as("varchar needs a green length").isEmpty();
        assertThat(Cast.byName("minor-units")).isEqualTo(Cast.MINOR_UNITS);
        assertThat(Cast.byName("money")).isNull();
    }
}
