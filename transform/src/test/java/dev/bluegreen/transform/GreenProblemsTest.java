package dev.bluegreen.transform;

import static dev.bluegreen.transform.TestTables.BIGINT;
import static dev.bluegreen.transform.TestTables.BOOL;
import static dev.bluegreen.transform.TestTables.DATE;
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

import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TableSchema;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Compile-time problems on the green side: tables, columns, casts, keys, targets and constants. */
class GreenProblemsTest {

    private static final TableSchema BLUE = table("public.t").col("id", INT).col("name", TEXT).col("qty", INT)
            .pk("id").build();

    private static TableSchema green(String extraName, ColumnType extraType) {
        return table("g.t").col("id", INT).col("name", TEXT).col("qty", INT).col(extraName, extraType).pk("id").build();
    }

    @Test
    void missingGreenTable() {
        assertThat(mapping("public.t", "g.tt").problemText(BLUE, green("x", INT)))
                .contains("tables[0].green: green table g.tt does not exist; create it (Flyway migration) before starting")
                .contains("did you mean 'g.t'?");
    }

    @Test
    void missingGreenColumnOfARename() {
        assertThat(mapping("public.t", "g.t").rename("qty", "quantiy").problemText(BLUE, green("quantity", INT)))
                .contains("tables[0].columns.qty: green table g.t has no column 'quantiy'; did you mean 'quantity'?");
    }

    @Test
    void passthroughWithoutAGreenColumnSaysMapOrDrop() {
        TableSchema green = table("g.t").col("id", INT).col("name", TEXT).pk("id").build();

        assertThat(mapping("public.t", "g.t").problemText(BLUE, green))
                .contains("green table g.t has no column 'qty'")
                .contains("copied under its own name because the mapping does not mention it")
                .contains("columns: {qty: <green name>}").contains("columns: {qty: drop}");
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "bigint      | text    | bigint",
        "integer     | integer | bigint",
        "smallint    | integer | integer",
        "minor-units | integer | bigint",
        "boolean     | text    | boolean",
        "varchar     | text    | text",
        "varchar     | integer | varchar5",
        "timestamptz | tstz    | tstz"})
    void disallowedCastNamesTheCastAndBothTypes(String cast, String blueType, String greenType) {
        TableSchema blue = table("public.t").col("id", INT).col("v", type(blueType)).pk("id").build();
        TableSchema green = table("g.t").col("id", INT).col("v", type(greenType)).pk("id").build();

        assertThat(mapping("public.t", "g.t").cast("v", null, cast, Map.of("zone", "UTC")).problemText(blue, green))
                .contains("tables[0].columns.v").contains("cast '" + cast + "'").contains(type(blueType).sqlName());
    }

    private static ColumnType type(String name) {
        switch (name) {
            case "text": return TEXT;
            case "integer": return INT;
            case "bigint": return BIGINT;
            case "boolean": return BOOL;
            case "tstz": return TSTZ;
            case "varchar5": return varchar(5);
            default: throw new IllegalArgumentException(name);
        }
    }

    @Test
    void incompatibleTypesWithoutACastNameTheCastToDeclare() {
        TableSchema blue = table("public.t").col("id", INT).col("name", TEXT).col("qty", BIGINT).col("at", TS)
                .col("amount", numeric(10, 2)).pk("id").build();
        TableSchema green = table("g.t").col("id", INT).col("name", varchar(10)).col("qty", SMALLINT).col("at", TSTZ)
                .col("amount", INT).pk("id").build();

        assertThat(mapping("public.t", "g.t").problemText(blue, green))
                .contains("blue text does not fit green character varying(10) without a cast; declare cast: varchar")
                .contains("blue bigint does not fit green smallint without a cast; declare cast: smallint")
                .contains("declare cast: timestamptz with zone:")
                .contains("blue numeric(10,2) does not fit green integer without a cast; declare cast: minor-units");
        TableSchema dates = table("g.t").col("id", INT).col("name", DATE).col("qty", BIGINT).pk("id").build();
        assertThat(mapping("public.t", "g.t").problemText(BLUE, dates)).contains("and no cast converts it");
    }

    @Test
    void greenTableWithoutAKeyOnTheMappedKeyColumns() {
        TableSchema green = table("g.t").col("id", INT).col("name", TEXT).col("qty", INT).pk("id", "name").build();

        assertThat(mapping("public.t", "g.t").problemText(BLUE, green))
                .contains("green table g.t needs a primary key (or a unique index on NOT NULL columns) on exactly [id]")
                .contains("it has primary key [id, name]").contains("INSERT ... ON CONFLICT")
                .contains("ALTER TABLE g.t ADD PRIMARY KEY (id)");
    }

    @Test
    void notNullGreenColumnWithoutADefaultMustBeProduced() {
        TableSchema green = table("g.t").col("id", INT).col("name", TEXT).col("qty", INT).notNull("region", TEXT)
                .notNullWithDefault("created", TSTZ).generated("total", INT).pk("id").build();

        assertThat(mapping("public.t", "g.t").problems(BLUE, green)).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("tables[0].green");
            assertThat(p.message()).contains("g.t.region is NOT NULL without a default").contains("add: {region:");
        });
    }

    @Test
    void generatedGreenColumnMustNotBeProduced() {
        TableSchema green = table("g.t").col("id", INT).col("name", TEXT).generated("qty", INT).pk("id").build();

        assertThat(mapping("public.t", "g.t").problemText(BLUE, green))
                .contains("green column g.t.qty is generated by the server and cannot be written");
    }

    @Test
    void greenColumnProducedTwice() {
        TableSchema blue = table("public.t").col("id", INT).col("name", TEXT).col("nick", TEXT).pk("id").build();
        TableSchema green = table("g.t").col("id", INT).col("name", TEXT).pk("id").build();

        assertThat(mapping("public.t", "g.t").rename("nick", "name").problemText(blue, green))
                .contains("tables[0].columns.nick: green column 'name' is produced twice (also by column name at"
                        + " tables[0])");
    }

    @Test
    void verticalSplitPlacesEveryNonKeyColumnInExactlyOneTarget() {
        TableSchema a = table("g.a").col("id", INT).col("name", TEXT).col("qty", INT).pk("id").build();
        TableSchema b = table("g.b").col("id", INT).col("qty", INT).pk("id").build();

        assertThat(mapping("public.t", "g.a").targets(target("g.a", "name"), target("g.b", "qty", "nope"))
                .problemText(BLUE, a, b))
                .contains("target column 'nope' is not produced by the mapping")
                .contains("green columns produced: [id, name, qty]");
        assertThat(mapping("public.t", "g.a").targets(target("g.a", "name", "qty"), target("g.b", "qty"))
                .problemText(BLUE, a, b)).contains("green column 'qty' is listed in the 'columns' of 2 targets");
        assertThat(mapping("public.t", "g.a").targets(target("g.a", "name"), target("g.b", "id"))
                .problemText(BLUE, a, b)).contains("green column 'qty' is in none of the targets' 'columns' lists");
        assertThat(mapping("public.t", "g.a").targets(target("g.a", "name"), target("g.a", "qty"))
                .problemText(BLUE, a, b)).contains("green table g.a is listed twice in 'targets'");
    }

    @Test
    void everySplitTargetNeedsTheKeyColumns() {
        TableSchema a = table("g.a").col("id", INT).col("name", TEXT).pk("id").build();
        TableSchema b = table("g.b").col("ident", INT).col("qty", INT).pk("ident").build();

        assertThat(mapping("public.t", "g.a").targets(target("g.a", "name"), target("g.b", "qty")).problemText(BLUE, a, b))
                .contains("green table g.b has no column 'id'");
    }

    @Test
    void badConstantsAreConfigProblems() {
        assertThat(mapping("public.t", "g.t").constant("x", "many").problemText(BLUE, green("x", BIGINT)))
                .contains("tables[0].add.x: constant for 'x': value 'many' (String) cannot be stored in bigint");
        assertThat(mapping("public.t", "g.t").constant("x", 70_000L).problemText(BLUE, green("x", SMALLINT)))
                .contains("constant for 'x': value 70000 is out of range for smallint");
        assertThat(mapping("public.t", "g.t").constant("x", "2024-13-01").problemText(BLUE, green("x", DATE)))
                .contains("constant for 'x': value '2024-13-01' cannot be stored exactly in date");
        TableSchema notNull = table("g.t").col("id", INT).col("name", TEXT).col("qty", INT).notNull("x", TEXT)
                .pk("id").build();
        assertThat(mapping("public.t", "g.t").constant("x", null).problemText(BLUE, notNull))
                .contains("constant for 'x' is null, but the green column is NOT NULL");
    }

    @Test
    void mergeWritesTextAndSplitReadsText() {
        assertThat(mapping("public.t", "g.t").merge("x", "-", "name", "qty").problemText(BLUE, green("x", INT)))
                .contains("a merge writes text, but green column 'x' is integer");
        TableSchema parts = table("g.t").col("id", INT).col("name", TEXT).col("a", TEXT).col("b", INT).pk("id").build();
        assertThat(mapping("public.t", "g.t").split("qty", "-", "a", "b").problemText(BLUE, parts))
                .contains("only text columns can be split; 'qty' is integer");
        assertThat(mapping("public.t", "g.t").split("name", "-", "a", "b").rename("qty", "b").problemText(BLUE, parts))
                .contains("split part 'b' must be a text column in green, not integer");
    }
}
