package dev.bluegreen.transform;

import static dev.bluegreen.transform.TestTables.BIGINT;
import static dev.bluegreen.transform.TestTables.INT;
import static dev.bluegreen.transform.TestTables.SMALLINT;
import static dev.bluegreen.transform.TestTables.TEXT;
import static dev.bluegreen.transform.TestTables.TS;
import static dev.bluegreen.transform.TestTables.TSTZ;
import static dev.bluegreen.transform.TestTables.mapping;
import static dev.bluegreen.transform.TestTables.numeric;
import static dev.bluegreen.transform.TestTables.table;
import static dev.bluegreen.transform.TestTables.target;
import static dev.bluegreen.transform.TestTables.varchar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.core.value.Unavailable;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Row filters, unchanged TOAST values, keys and vertical splits. */
class FilterKeysAndTargetsTest {

    private static final TableSchema ACCOUNTS = table("public.accounts").col("aid", INT).col("bid", INT)
            .col("abalance", INT).col("filler", TEXT).pk("aid").build();
    private static final TableSchema ACCOUNT = table("bank.account").col("aid", INT).col("bid", INT)
            .col("abalance", INT).pk("aid").build();

    private static Row account(Object abalance, Object filler) {
        return Row.ofPairs("aid", 1L, "bid", 1L, "abalance", abalance, "filler", filler);
    }

    @Test
    void filterKeepsTrueRowsAndRejectsFalseOnesWithAnEmptyList() {
        CompiledMapping m = mapping("public.accounts", "bank.account").drop("filler").filter("abalance >= 0")
                .compile(ACCOUNTS, ACCOUNT);

        assertThat(m.map(account(5L, "x"))).hasSize(1);
        assertThat(m.map(account(-5L, "x"))).isEmpty();
        assertThat(m.mapKey(Row.ofPairs("aid", 1L))).as("keys are not filtered").hasSize(1);
    }

    @Test
    void filterReadingAnUnavailableValueAsksForReplicaIdentityFull() {
        CompiledMapping m = mapping("public.accounts", "bank.account").drop("filler").filter("filler != 'x'")
                .compile(ACCOUNTS, ACCOUNT);

        assertThat(m.map(account(Unavailable.VALUE, "y"))).as("the filter does not read abalance").hasSize(1);
        assertThatThrownBy(() -> m.map(account(1L, Unavailable.VALUE)))
                .isInstanceOf(RowConversionException.class)
                .hasMessageContaining("public.accounts key {aid=1}")
                .hasMessageContaining("filler != 'x'")
                .hasMessageContaining("REPLICA IDENTITY FULL on public.accounts");
    }

    @Test
    void filterThatDoesNotReturnABooleanOrFailsIsARowError() {
        CompiledMapping notBoolean = mapping("public.accounts", "bank.account").drop("filler").filter("abalance")
                .compile(ACCOUNTS, ACCOUNT);
        CompiledMapping failing = mapping("public.accounts", "bank.account").drop("filler").filter("abalance > 1")
                .compile(ACCOUNTS, ACCOUNT);

        assertThatThrownBy(() -> notBoolean.map(account(5L, "x")))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("returned 5, not true or false");
        assertThatThrownBy(() -> failing.map(account(null, "x")))
                .isInstanceOf(RowConversionException.class)
                .hasMessageContaining("public.accounts key {aid=1}: filter")
                .hasMessageContaining("abalance=NULL");
    }

    @Test
    void unavailableInputsGiveUnavailableOutputsForEveryRule() {
        TableSchema blue = table("public.t").col("id", INT).col("body", TEXT).col("n", INT).col("at", TS)
                .col("name", TEXT).pk("id").build();
        TableSchema green = table("g.t").col("id", INT).col("body", varchar(10)).col("twice", BIGINT).col("tag", TEXT)
                .col("at", TSTZ).col("first", TEXT).col("last", TEXT).col("origin", TEXT).pk("id").build();
        CompiledMapping m = mapping("public.t", "g.t").cast("body", null, "varchar").drop("n")
                .cast("at", null, "timestamptz", Map.of("zone", "UTC")).split("name", " ", "first", "last")
                .expr("twice", "n * 2").merge("tag", "-", "body", "n").constant("origin", "blue")
                .compile(blue, green);

        Row out = m.map(Row.ofPairs("id", 1L, "body", Unavailable.VALUE, "n", 3L, "at", Unavailable.VALUE,
                "name", Unavailable.VALUE)).get(0).row();

        assertThat(out.get("body")).as("cast").isSameAs(Unavailable.VALUE);
        assertThat(out.get("at")).as("timestamptz cast").isSameAs(Unavailable.VALUE);
        assertThat(out.get("first")).as("split").isSameAs(Unavailable.VALUE);
        assertThat(out.get("last")).as("split").isSameAs(Unavailable.VALUE);
        assertThat(out.get("tag")).as("merge with one unavailable part").isSameAs(Unavailable.VALUE);
        assertThat(out.get("twice")).as("expression over available inputs").isEqualTo(6L);
        assertThat(out.get("origin")).isEqualTo("blue");
        Row out2 = m.map(Row.ofPairs("id", 1L, "body", "hi", "n", Unavailable.VALUE, "at", null, "name", null))
                .get(0).row();
        assertThat(out2.get("twice")).as("expression").isSameAs(Unavailable.VALUE);
        assertThat(out2.get("tag")).isSameAs(Unavailable.VALUE);
    }

    @Test
    void keyColumnsMustHoldAValue() {
        CompiledMapping m = mapping("public.accounts", "bank.account").drop("filler").compile(ACCOUNTS, ACCOUNT);

        assertThatThrownBy(() -> m.map(Row.ofPairs("aid", Unavailable.VALUE, "bid", 1L, "abalance", 1L, "filler", "f")))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("key column aid is an unchanged TOAST");
        assertThatThrownBy(() -> m.mapKey(Row.ofPairs("aid", null)))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("key column aid is NULL");
    }

    @Test
    void mapKeyEqualsTheKeyProjectionOfMap() {
        TableSchema blue = table("public.t").col("a", INT).col("b", TEXT).col("c", numeric(8, 2)).col("v", TEXT)
                .pk("b", "a", "c").build();
        TableSchema green = table("g.t").col("v", TEXT).col("aa", BIGINT).col("bb", TEXT).col("cents", BIGINT)
                .pk("aa", "bb", "cents").build();
        CompiledMapping m = mapping("public.t", "g.t").cast("a", "aa", "bigint").rename("b", "bb")
                .cast("c", "cents", "minor-units").compile(blue, green);
        Row full = Row.ofPairs("a", 4L, "b", "x", "c", new BigDecimal("1.25"), "v", "value");
        TargetShape shape = m.targets().get(0);

        assertThat(m.blueKeyColumns()).containsExactly("b", "a", "c");
        assertThat(shape.keyColumns()).containsExactly("bb", "aa", "cents");
        assertThat(m.mapKey(full.project(m.blueKeyColumns()))).singleElement()
                .satisfies(k -> assertThat(k.row()).isEqualTo(m.map(full).get(0).row().project(shape.keyColumns()))
                        .isEqualTo(Row.ofPairs("bb", "x", "aa", 4L, "cents", 125L)));
        assertThat(m.mapKey(full).get(0).row().columns()).as("extra columns are ignored").containsExactly("bb", "aa", "cents");
    }

    @Test
    void mapKeyFailsWhereMapFails() {
        TableSchema blue = table("public.t").col("id", BIGINT).col("v", TEXT).pk("id").build();
        TableSchema green = table("g.t").col("id", SMALLINT).col("v", TEXT).pk("id").build();
        CompiledMapping m = mapping("public.t", "g.t").cast("id", null, "smallint").compile(blue, green);

        assertThatThrownBy(() -> m.mapKey(Row.ofPairs("id", 70_000L)))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("out of range for smallint");
        assertThatThrownBy(() -> m.map(Row.ofPairs("id", 70_000L, "v", "x")))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("out of range for smallint");
    }

    @Test
    void verticalSplitSendsEachColumnToItsTargetWithTheKey() {
        TableSchema blue = table("public.rental").col("rental_id", INT).col("rented", TS).col("returned", TS)
                .col("staff", INT).pk("rental_id").build();
        TableSchema rentals = table("g.rentals").col("rental_id", BIGINT).col("staff_id", INT).col("rented", TS)
                .pk("rental_id").build();
        TableSchema returns = table("g.returns").col("returned", TS).col("rental_id", BIGINT).pk("rental_id").build();
        CompiledMapping m = mapping("public.rental", "unused.x").cast("rental_id", null, "bigint")
                .rename("staff", "staff_id")
                .targets(target("g.rentals", "rented", "staff_id"), target("g.returns", "returned"))
                .compile(blue, rentals, returns);
        LocalDateTime mon = LocalDateTime.of(2024, 1, 1, 10, 0);

        List<MappedRow> out = m.map(Row.ofPairs("rental_id", 9L, "rented", mon, "returned", null, "staff", 2L));

        assertThat(m.targets()).extracting(TargetShape::columns).containsExactly(
                List.of("rental_id", "staff_id", "rented"), List.of("rental_id", "returned"));
        assertThat(out).extracting(MappedRow::table).containsExactly(rentals.id(), returns.id());
        assertThat(out).extracting(MappedRow::row).containsExactly(
                Row.ofPairs("rental_id", 9L, "staff_id", 2L, "rented", mon), Row.ofPairs("rental_id", 9L, "returned", null));
        assertThat(m.mapKey(Row.ofPairs("rental_id", 9L))).extracting(MappedRow::row)
                .containsExactly(Row.ofPairs("rental_id", 9L), Row.ofPairs("rental_id", 9L));
    }

    @Test
    void declaredKeyBackedByAUniqueIndex() {
        TableSchema blue = table("public.t").col("id", INT).col("code", TEXT).col("v", TEXT).pk("id")
                .unique("code").build();
        TableSchema green = table("g.t").col("id", INT).col("code", TEXT).col("v", TEXT).unique("code").build();
        CompiledMapping m = mapping("public.t", "g.t").key("code").compile(blue, green);

        assertThat(m.blueKeyColumns()).containsExactly("code");
        assertThat(m.mapKey(Row.ofPairs("code", "A1")).get(0).row()).isEqualTo(Row.ofPairs("code", "A1"));
    }
}
