package dev.bluegreen.transform;

import static dev.bluegreen.transform.TestTables.BIGINT;
import static dev.bluegreen.transform.TestTables.DATE;
import static dev.bluegreen.transform.TestTables.DOUBLE;
import static dev.bluegreen.transform.TestTables.INT;
import static dev.bluegreen.transform.TestTables.NUMERIC;
import static dev.bluegreen.transform.TestTables.REAL;
import static dev.bluegreen.transform.TestTables.TEXT;
import static dev.bluegreen.transform.TestTables.TSTZ;
import static dev.bluegreen.transform.TestTables.UUID;
import static dev.bluegreen.transform.TestTables.mapping;
import static dev.bluegreen.transform.TestTables.numeric;
import static dev.bluegreen.transform.TestTables.table;
import static dev.bluegreen.transform.TestTables.varchar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.TableSchema;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rename, drop, passthrough, computed, constant, split and merge, at run time on plain values. */
class ColumnRulesTest {

    private static final TableSchema ACCOUNTS = table("public.accounts").col("aid", INT).col("bid", INT)
            .col("abalance", INT).col("filler", TEXT).pk("aid").build();

    private static Row account(Object aid, Object abalance) {
        return Row.ofPairs("aid", aid, "bid", 1L, "abalance", abalance, "filler", "f");
    }

    @Test
    void renameDropAndPassthroughInGreenOrdinalOrder() {
        TableSchema green = table("bank.account").col("abalance", BIGINT).col("bid", INT).col("account_id", INT)
                .pk("account_id").build();
        CompiledMapping m = mapping("public.accounts", "bank.account").rename("aid", "account_id").drop("filler")
                .compile(ACCOUNTS, green);

        assertThat(m.blueTable()).isEqualTo(TableId.parse("public.accounts"));
        assertThat(m.blueKeyColumns()).containsExactly("aid");
        assertThat(m.targets()).singleElement().satisfies(t -> {
            assertThat(t.table()).isEqualTo(TableId.parse("bank.account"));
            assertThat(t.keyColumns()).containsExactly("account_id");
            assertThat(t.columns()).as("key first, then green ordinal order").containsExactly("account_id", "abalance", "bid");
            assertThat(t.columnTypes()).containsEntry("abalance", BIGINT).containsEntry("account_id", INT);
        });
        assertThat(m.map(account(7L, -5L))).singleElement().satisfies(r -> {
            assertThat(r.table()).isEqualTo(TableId.parse("bank.account"));
            assertThat(r.row()).as("abalance widened from integer to bigint, filler dropped")
                    .isEqualTo(Row.ofPairs("account_id", 7L, "abalance", -5L, "bid", 1L));
        });
    }

    @Test
    void passthroughWidensRealToDouble() {
        TableSchema blue = table("public.t").col("id", INT).col("x", REAL).pk("id").build();
        TableSchema green = table("g.t").col("id", INT).col("x", DOUBLE).pk("id").build();
        CompiledMapping m = mapping("public.t", "g.t").compile(blue, green);

        assertThat(m.map(Row.ofPairs("id", 1L, "x", 0.5f)).get(0).row().get("x")).isEqualTo(0.5d);
    }

    @Test
    void computedColumnConvertsTheResultExactly() {
        TableSchema green = table("bank.account").col("aid", INT).col("bid", INT).col("balance_cents", BIGINT)
                .col("ratio", numeric(12, 2)).col("label_length", INT).pk("aid").build();
        CompiledMapping m = mapping("public.accounts", "bank.account").drop("abalance").drop("filler")
                .expr("balance_cents", "abalance * 100").expr("ratio", "abalance / 4.0")
                .expr("label_length", "size(filler)").compile(ACCOUNTS, green);

        Row out = m.map(account(1L, 2_000_000_000L)).get(0).row();
        assertThat(out.get("balance_cents")).isEqualTo(200_000_000_000L);
        assertThat(out.get("ratio")).as("a double through its decimal text, padded to the green scale")
                .isEqualTo(new BigDecimal("500000000.00"));
        assertThat(out.get("label_length")).as("Integer becomes Long").isEqualTo(1L);
    }

    @Test
    void computedColumnFailureNamesTableKeyColumnInputsAndReason() {
        TableSchema green = table("g.account").col("aid", INT).col("bid", INT).col("cents", BIGINT).pk("aid").build();
        CompiledMapping m = mapping("public.accounts", "g.account").drop("abalance").drop("filler")
                .expr("cents", "abalance * 100").compile(ACCOUNTS, green);

        assertThatThrownBy(() -> m.map(account(3L, null)))
                .isInstanceOf(RowConversionException.class)
                .hasMessageContaining("public.accounts key {aid=3}")
                .hasMessageContaining("expression 'abalance * 100' -> g.account.cents")
                .hasMessageContaining("abalance=NULL")
                .hasMessageContaining("null");
        CompiledMapping overflow = mapping("public.accounts", "g.account").drop("abalance").drop("filler")
                .expr("cents", "abalance * 9223372036854775807").compile(ACCOUNTS, green);
        assertThatThrownBy(() -> overflow.map(account(4L, 3L)))
                .isInstanceOf(RowConversionException.class)
                .hasMessageContaining("cannot be stored exactly in bigint");
    }

    @Test
    void computedResultOfTheWrongClassIsARowError() {
        TableSchema green = table("g.account").col("aid", INT).col("bid", INT).col("abalance", INT).col("cents", BIGINT)
                .pk("aid").build();
        CompiledMapping m = mapping("public.accounts", "g.account").drop("filler").expr("cents", "filler + 'x'")
                .compile(ACCOUNTS, green);

        assertThatThrownBy(() -> m.map(account(1L, 1L)))
                .isInstanceOf(RowConversionException.class)
                .hasMessageContaining("value 'fx' (String) cannot be stored in bigint");
    }

    @Test
    void constantsBecomeTheGreenColumnsCanonicalClass() {
        TableSchema green = table("g.account").col("aid", INT).col("bid", INT).col("abalance", INT).col("origin", TEXT)
                .col("rate", numeric(5, 2)).col("since", DATE).col("seen_at", TSTZ).col("ref", UUID).col("note", TEXT)
                .pk("aid").build();
        CompiledMapping m = mapping("public.accounts", "g.account").drop("filler").constant("origin", "pgbench")
                .constant("rate", 3L).constant("since", "2024-02-29").constant("seen_at", "2024-01-01T12:00:00+01:00")
                .constant("ref", "123e4567-e89b-12d3-a456-426614174000").constant("note", null)
                .compile(ACCOUNTS, green);

        Row out = m.map(account(1L, 1L)).get(0).row();
        assertThat(out.get("origin")).isEqualTo("pgbench");
        assertThat(out.get("rate")).isEqualTo(new BigDecimal("3.00"));
        assertThat(out.get("since")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(out.get("seen_at")).isEqualTo(Instant.parse("2024-01-01T11:00:00Z"));
        assertThat(out.get("ref")).isEqualTo(java.util.UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
        assertThat(out.get("note")).isNull();
    }

    @Test
    void splitFillsPartsInOrderAndTheLastKeepsTheRest() {
        TableSchema blue = table("public.people").col("id", INT).col("name", TEXT).pk("id").build();
        TableSchema green = table("g.people").col("id", INT).col("given", TEXT).col("middle", varchar(10))
                .col("family", TEXT).pk("id").build();
        CompiledMapping m = mapping("public.people", "g.people").split("name", ", ", "given", "middle", "family")
                .compile(blue, green);

        assertThat(m.map(Row.ofPairs("id", 1L, "name", "Ada, Augusta, King, Lovelace")).get(0).row())
                .isEqualTo(Row.ofPairs("id", 1L, "given", "Ada", "middle", "Augusta", "family", "King, Lovelace"));
        assertThat(m.map(Row.ofPairs("id", 2L, "name", "Plato")).get(0).row())
                .as("fewer parts: the rest are NULL").isEqualTo(Row.ofPairs("id", 2L, "given", "Plato", "middle", null,
                        "family", null));
        assertThat(m.map(Row.ofPairs("id", 3L, "name", null)).get(0).row())
                .isEqualTo(Row.ofPairs("id", 3L, "given", null, "middle", null, "family", null));
        assertThatThrownBy(() -> m.map(Row.ofPairs("id", 4L, "name", "a, much too long a middle name, c")))
                .isInstanceOf(RowConversionException.class)
                .hasMessageContaining("public.people key {id=4}")
                .hasMessageContaining("g.people.middle")
                .hasMessageContaining("longer than character varying(10)");
    }

    @Test
    void mergeJoinsTheCanonicalTextOfNonNullParts() {
        TableSchema blue = table("public.people").col("id", INT).col("first", TEXT).col("last", TEXT)
                .col("born", DATE).col("score", NUMERIC).pk("id").build();
        TableSchema green = table("g.people").col("id", INT).col("full_name", TEXT).col("tag", TEXT).pk("id").build();
        CompiledMapping m = mapping("public.people", "g.people").drop("first").drop("last").drop("born").drop("score")
                .merge("full_name", " ", "first", "last").merge("tag", "/", "born", "score").compile(blue, green);

        Row out = m.map(Row.ofPairs("id", 1L, "first", "Ada", "last", "Lovelace", "born", LocalDate.of(1815, 12, 10),
                "score", new BigDecimal("1E+3"))).get(0).row();
        assertThat(out.get("full_name")).isEqualTo("Ada Lovelace");
        assertThat(out.get("tag")).as("ISO date, plain decimal").isEqualTo("1815-12-10/1000");
        Row partial = m.map(Row.ofPairs("id", 2L, "first", null, "last", "Plato", "born", null, "score", null))
                .get(0).row();
        assertThat(partial.get("full_name")).as("NULL parts are skipped").isEqualTo("Plato");
        assertThat(partial.get("tag")).as("all parts NULL").isNull();
    }

    @Test
    void extraBlueColumnsAreIgnoredAndMissingOnesAreRowErrors() {
        TableSchema green = table("g.account").col("aid", INT).col("bid", INT).col("abalance", INT).pk("aid").build();
        CompiledMapping m = mapping("public.accounts", "g.account").drop("filler").compile(ACCOUNTS, green);

        assertThat(m.map(Row.ofPairs("aid", 1L, "bid", 2L, "abalance", 3L, "filler", "f", "added_later", 9L)))
                .singleElement().satisfies(r -> assertThat(r.row().columns()).containsExactly("aid", "bid", "abalance"));
        assertThatThrownBy(() -> m.map(Row.ofPairs("aid", 1L, "bid", 2L)))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("has no column 'abalance'");
    }

    @Test
    void transformNeverMutatesItsInput() {
        TableSchema green = table("g.account").col("aid", INT).col("bid", INT).col("cents", BIGINT).pk("aid").build();
        CompiledMapping m = mapping("public.accounts", "g.account").drop("filler").drop("abalance")
                .expr("cents", "abalance * 100").compile(ACCOUNTS, green);
        Row in = account(1L, 3L);
        Row copy = Row.of(new ArrayList<>(in.columns()), Arrays.asList(in.values().toArray()));

        List<MappedRow> out = m.map(in);

        assertThat(in).isEqualTo(copy);
        assertThat(m.map(in)).as("deterministic").isEqualTo(out);
    }
}
