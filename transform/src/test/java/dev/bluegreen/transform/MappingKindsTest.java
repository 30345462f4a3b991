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

import dev.bluegreen.core.config.TargetTable;
import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.core.value.Unavailable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every mapping kind at run time, on plain values. */
class MappingKindsTest {

    private static final TableSchema ACCOUNTS = table("public.accounts").col("aid", INT).col("bid", INT)
            .col("abalance", INT).col("filler", TEXT).pk("aid").build();

    @Test
    void renameDropAndPassthrough() {
        TableSchema green = table("bank.account").col("account_id", INT).col("bid", INT).col("abalance", INT)
                .pk("account_id").build();
        CompiledMapping m = mapping("public.accounts", "bank.account").rename("aid", "account_id").drop("filler")
                .compile(ACCOUNTS, green);
        List<MappedRow> out = m.map(Row.ofPairs("aid", 7L, "bid", 1L, "abalance", -5L, "filler", "x"));
        assertThat(out).singleElement().satisfies(r -> {
            assertThat(r.table()).isEqualTo(TableId.parse("bank.account"));
            assertThat(r.row()).isEqualTo(Row.ofPairs("account_id", 7L, "bid", 1L, "abalance", -5L));
        });
        assertThat(m.targets().get(0).keyColumns()).containsExactly("account_id");
    }

    @Test
    void integerWideningAndNarrowingCasts() {
        TableSchema blue = table("public.t").col("id", INT).col("big", BIGINT).pk("id").build();
        TableSchema green = table("g.t").col("id", BIGINT).col("small", SMALLINT).pk("id").build();
        CompiledMapping m = mapping("public.t", "g.t").cast("id", null, "bigint", Map.of())
                .cast("big", "small", "smallint", Map.of()).compile(blue, green);
        assertThat(m.map(Row.ofPairs("id", 1L, "big", 300L)).get(0).row()).isEqualTo(Row.ofPairs("id", 1L, "small", 300L));
        assertThatThrownBy(() -> m.map(Row.ofPairs("id", 2L, "big", 40_000L)))
                .isInstanceOf(RowConversionException.class)
                .hasMessageContaining("public.t key {id=2}").hasMessageContaining("small")
                .hasMessageContaining("out of range for smallint");
    }

    @Test
    void minorUnitsCast() {
        TableSchema blue = table("public.t").col("id", INT).col("amount", numeric(10, 2)).pk("id").build();
        TableSchema green = table("g.t").col("id", INT).col("cents", BIGINT).pk("id").build();
        CompiledMapping m = mapping("public.t", "g.t").cast("amount", "cents", "minor-units", Map.of()).compile(blue, green);
        assertThat(m.map(Row.ofPairs("id", 1L, "amount", new BigDecimal("12.34"))).get(0).row().get("cents")).isEqualTo(1234L);
        assertThat(m.map(Row.ofPairs("id", 1L, "amount", new BigDecimal("-0.50"))).get(0).row().get("cents")).isEqualTo(-50L);
        CompiledMapping scale1 = mapping("public.t", "g.t").cast("amount", "cents", "minor-units", Map.of("scale", "1"))
                .compile(blue, green);
        assertThatThrownBy(() -> scale1.map(Row.ofPairs("id", 1L, "amount", new BigDecimal("12.34"))))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("fractions of a minor unit");
    }

    @Test
    void booleanCastFromZeroOrOne() {
        TableSchema blue = table("public.t").col("id", INT).col("active", INT).pk("id").build();
        TableSchema green = table("g.t").col("id", INT).col("active", BOOL).pk("id").build();
        CompiledMapping m = mapping("public.t", "g.t").cast("active", null, "boolean", Map.of()).compile(blue, green);
        assertThat(m.map(Row.ofPairs("id", 1L, "active", 1L)).get(0).row().get("active")).isEqualTo(true);
        assertThat(m.map(Row.ofPairs("id", 1L, "active", 0L)).get(0).row().get("active")).isEqualTo(false);
        assertThat(m.map(Row.ofPairs("id", 1L, "active", null)).get(0).row().get("active")).isNull();
        assertThatThrownBy(() -> m.map(Row.ofPairs("id", 1L, "active", 2L)))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("neither 0 nor 1");
    }

    @Test
    void varcharCastChecksTheLength() {
        TableSchema blue = table("public.t").col("id", INT).col("name", TEXT).pk("id").build();
        TableSchema green = table("g.t").col("id", INT).col("name", varchar(5)).pk("id").build();
        CompiledMapping m = mapping("public.t", "g.t").cast("name", null, "varchar", Map.of()).compile(blue, green);
        assertThat(m.map(Row.ofPairs("id", 1L, "name", "héllo")).get(0).row().get("name")).isEqualTo("héllo");
        assertThatThrownBy(() -> m.map(Row.ofPairs("id", 1L, "name", "toolong")))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("longer than character varying(5)");
    }

    @Test
    void timestamptzCastInADeclaredZone() {
        TableSchema blue = table("public.t").col("id", INT).col("at", TS).pk("id").build();
        TableSchema green = table("g.t").col("id", INT).col("at", TSTZ).pk("id").build();
        CompiledMapping m = mapping("public.t", "g.t").cast("at", null, "timestamptz", Map.of("zone", "Europe/Paris"))
                .compile(blue, green);
        assertThat(m.map(Row.ofPairs("id", 1L, "at", LocalDateTime.of(2024, 1, 15, 12, 0))).get(0).row().get("at"))
                .isEqualTo(Instant.parse("2024-01-15T11:00:00Z"));
        assertThat(m.map(Row.ofPairs("id", 1L, "at", LocalDateTime.of(2024, 10, 27, 2, 30))).get(0).row().get("at"))
                .as("overlap: the earlier offset").isEqualTo(Instant.parse("2024-10-27T00:30:00Z"));
        assertThatThrownBy(() -> m.map(Row.ofPairs("id", 1L, "at", LocalDateTime.of(2024, 3, 31, 2, 30))))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("daylight-saving gap");
    }

    @Test
    void computedColumnAndConstantDefault() {
        TableSchema green = table("bank.account").col("aid", INT).col("bid", INT).col("balance_cents", BIGINT)
                .col("origin", TEXT).pk("aid").build();
        CompiledMapping m = mapping("public.accounts", "bank.account").drop("abalance").drop("filler")
                .expr("balance_cents", "abalance * 100").constant("origin", "pgbench").compile(ACCOUNTS, green);
        Row out = m.map(Row.ofPairs("aid", 1L, "bid", 1L, "abalance", 2_000_000_000L, "filler", "x")).get(0).row();
        assertThat(out.get("balance_cents")).isEqualTo(200_000_000_000L);
        assertThat(out.get("origin")).isEqualTo("pgbench");
        assertThatThrownBy(() -> m.map(Row.ofPairs("aid", 1L, "bid", 1L, "abalance", null, "filler", "x")))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("balance_cents")
                .hasMessageContaining("abalance * 100");
    }

    @Test
    void splitAndMerge() {
        TableSchema blue = table("public.people").col("id", INT).col("name", TEXT).col("first", TEXT).col("last", TEXT)
                .pk("id").build();
        TableSchema green = table("g.people").col("id", INT).col("given", TEXT).col("family", TEXT).col("full_name", TEXT)
                .pk("id").build();
        CompiledMapping m = mapping("public.people", "g.people").split("name", " ", "given", "family")
                .drop("first").drop("last").merge("full_name", " ", "first", "last").compile(blue, green);
        Row out = m.map(Row.ofPairs("id", 1L, "name", "Ada King Lovelace", "first", "Ada", "last", null)).get(0).row();
        assertThat(out.get("given")).isEqualTo("Ada");
        assertThat(out.get("family")).as("the last part keeps further separators").isEqualTo("King Lovelace");
        assertThat(out.get("full_name")).as("NULL parts are skipped").isEqualTo("Ada");
        Row single = m.map(Row.ofPairs("id", 2L, "name", "Plato", "first", null, "last", null)).get(0).row();
        assertThat(single.get("family")).isNull();
        assertThat(single.get("full_name")).isNull();
    }

    @Test
    void filterKeepsOrRejectsRows() {
        TableSchema green = table("bank.account").col("aid", INT).col("bid", INT).col("abalance", INT).pk("aid").build();
        CompiledMapping m = mapping("public.accounts", "bank.account").drop("filler").filter("abalance >= 0")
                .compile(ACCOUNTS, green);
        assertThat(m.map(Row.ofPairs("aid", 1L, "bid", 1L, "abalance", 5L, "filler", "x"))).hasSize(1);
        assertThat(m.map(Row.ofPairs("aid", 1L, "bid", 1L, "abalance", -5L, "filler", "x"))).isEmpty();
        assertThatThrownBy(() -> m.map(Row.ofPairs("aid", 1L, "bid", 1L, "abalance", Unavailable.VALUE, "filler", "x")))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("REPLICA IDENTITY FULL");
    }

    @Test
    void verticalSplitIntoTwoTargets() {
        TableSchema blue = table("public.rental").col("rental_id", INT).col("rented", TEXT).col("returned", TEXT)
                .pk("rental_id").build();
        TableSchema a = table("g.rentals").col("rental_id", BIGINT).col("rented", TEXT).pk("rental_id").build();
        TableSchema b = table("g.returns").col("rental_id", BIGINT).col("returned", TEXT).pk("rental_id").build();
        CompiledMapping m = mapping("public.rental", "g.rentals").cast("rental_id", null, "bigint", Map.of())
                .targets(new TargetTable(a.id(), List.of("rented"), TestTables.loc("t0")),
                        new TargetTable(b.id(), List.of("returned"), TestTables.loc("t1")))
                .compile(blue, a, b);
        List<MappedRow> out = m.map(Row.ofPairs("rental_id", 9L, "rented", "mon", "returned", "tue"));
        assertThat(out).extracting(MappedRow::row).containsExactly(
                Row.ofPairs("rental_id", 9L, "rented", "mon"), Row.ofPairs("rental_id", 9L, "returned", "tue"));
        assertThat(m.mapKey(Row.ofPairs("rental_id", 9L))).extracting(MappedRow::row)
                .containsExactly(Row.ofPairs("rental_id", 9L), Row.ofPairs("rental_id", 9L));
    }

    @Test
    void unavailableValuesPassThroughEveryRule() {
        TableSchema blue = table("public.t").col("id", INT).col("body", TEXT).col("n", INT).pk("id").build();
        TableSchema green = table("g.t").col("id", INT).col("body", varchar(10)).col("twice", BIGINT).col("tag", TEXT)
                .col("a", TEXT).col("b", TEXT).pk("id").build();
        CompiledMapping m = mapping("public.t", "g.t").cast("body", null, "varchar", Map.of()).drop("n")
                .expr("twice", "n * 2").merge("tag", "-", "body", "n").constant("a", "x").constant("b", null)
                .compile(blue, green);
        Row out = m.map(Row.ofPairs("id", 1L, "body", Unavailable.VALUE, "n", 3L)).get(0).row();
        assertThat(out.get("body")).isSameAs(Unavailable.VALUE);
        assertThat(out.get("twice")).isEqualTo(6L);
        assertThat(out.get("tag")).isSameAs(Unavailable.VALUE);
        Row out2 = m.map(Row.ofPairs("id", 1L, "body", "hi", "n", Unavailable.VALUE)).get(0).row();
        assertThat(out2.get("twice")).isSameAs(Unavailable.VALUE);
    }

    @Test
    void mapKeyEqualsTheKeyOfTheMappedRow() {
        TableSchema blue = table("public.t").col("a", INT).col("b", TEXT).col("v", TEXT).pk("b", "a").build();
        TableSchema green = table("g.t").col("aa", BIGINT).col("bb", TEXT).col("v", TEXT).pk("aa", "bb").build();
        CompiledMapping m = mapping("public.t", "g.t").cast("a", "aa", "bigint", Map.of()).rename("b", "bb")
                .compile(blue, green);
        Row full = Row.ofPairs("a", 4L, "b", "x", "v", "value");
        TargetShape shape = m.targets().get(0);
        assertThat(shape.keyColumns()).containsExactly("bb", "aa");
        assertThat(m.mapKey(full.project(m.blueKeyColumns())).get(0).row())
                .isEqualTo(m.map(full).get(0).row().project(shape.keyColumns()));
    }

    @Test
    void transformNeverMutatesItsInput() {
        TableSchema green = table("bank.account").col("aid", INT).col("bid", INT).col("abalance", INT).pk("aid").build();
        CompiledMapping m = mapping("public.accounts", "bank.account").drop("filler").compile(ACCOUNTS, green);
        Row in = Row.ofPairs("aid", 1L, "bid", 2L, "abalance", 3L, "filler", "f");
        Row copy = Row.of(in.columns(), Arrays.asList(in.values().toArray()));
        m.map(in);
        assertThat(in).isEqualTo(copy);
    }
}
