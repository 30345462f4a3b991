package dev.bluegreen.transform;

import static dev.bluegreen.transform.TestTables.FILE;
import static dev.bluegreen.transform.TestTables.INT;
import static dev.bluegreen.transform.TestTables.LINE;
import static dev.bluegreen.transform.TestTables.POINT;
import static dev.bluegreen.transform.TestTables.TEXT;
import static dev.bluegreen.transform.TestTables.TS;
import static dev.bluegreen.transform.TestTables.TSTZ;
import static dev.bluegreen.transform.TestTables.mapping;
import static dev.bluegreen.transform.TestTables.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.core.config.ColumnMapping;
import dev.bluegreen.core.error.ConfigException.Problem;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.TableSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Compile-time problems on the blue side: column names, keys, expressions, filters and cast options. */
class MappingProblemsTest {

    private static final TableSchema BLUE = table("public.t").col("id", INT).col("name", TEXT).col("qty", INT)
            .pk("id").build();
    private static final TableSchema GREEN = table("g.t").col("id", INT).col("name", TEXT).col("qty", INT)
            .col("x", INT).pk("id").build();

    @Test
    void missingBlueColumnKeepsFileLineAndPathAndSuggestsTheClosestName() {
        List<Problem> p = mapping("public.t", "g.t").rename("nmae", "name").problems(BLUE, GREEN);

        assertThat(p).singleElement().satisfies(x -> {
            assertThat(x.file()).isEqualTo(FILE);
            assertThat(x.line()).isEqualTo(LINE);
            assertThat(x.path()).isEqualTo("tables[0].columns.nmae");
            assertThat(x.message()).contains("blue table public.t has no column 'nmae'").contains("did you mean 'name'?");
        });
    }

    @Test
    void missingBlueColumnsAreFoundInKeyFilterExpressionAndMerge() {
        String text = mapping("public.t", "g.t").key("idd").filter("qtty > 0").expr("x", "qyt * 2")
                .merge("name", " ", "nme", "qty").drop("name").problemText(BLUE, GREEN);

        assertThat(text).contains("no column 'idd' (used in key); did you mean 'id'?")
                .contains("no column 'qtty' (used in filter 'qtty > 0'); did you mean 'qty'?")
                .contains("no column 'qyt' (used in expr 'qyt * 2'); did you mean 'qty'?")
                .contains("no column 'nme' (used in merge); did you mean 'name'?");
    }

    @Test
    void compileAppendsToTheCallersListAndReturnsNull() {
        List<Problem> problems = new ArrayList<>(List.of(new Problem(FILE, 1, "blue", "earlier problem")));

        CompiledMapping m = MappingCompiler.compile(mapping("public.t", "g.t").rename("nmae", "name").build(), BLUE,
                Map.of(GREEN.id(), GREEN), problems);

        assertThat(m).isNull();
        assertThat(problems).hasSize(2).first().extracting(Problem::message).isEqualTo("earlier problem");
    }

    @Test
    void tableWithoutAKeyIsRejectedWithTheFixSpelledOut() {
        TableSchema keyless = table("public.history").col("tid", INT).col("delta", INT).build();
        TableSchema green = table("g.history").col("tid", INT).col("delta", INT).pk("tid").build();

        List<Problem> p = mapping("public.history", "g.history").problems(keyless, green);

        assertThat(p).as("one problem, no follow-on noise").hasSize(1);
        assertThat(p.get(0).path()).isEqualTo("tables[0]");
        assertThat(p.get(0).message())
                .contains("public.history has no primary key")
                .contains("ALTER TABLE public.history ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
                .contains("or declare 'key: [columns]' backed by a unique index")
                .contains("CREATE UNIQUE INDEX history_key ON public.history (columns)");
    }

    @Test
    void declaredKeyMustBeBackedByAUniqueIndex() {
        assertThat(mapping("public.t", "g.t").key("name").problemText(BLUE, GREEN))
                .contains("declared key [name] of public.t is not backed")
                .contains("CREATE UNIQUE INDEX t_name_key ON public.t (name)");
    }

    @Test
    void keyColumnsMayNotBeDroppedOrSplit() {
        TableSchema green = table("g.t").col("a", TEXT).col("b", TEXT).col("name", TEXT).col("qty", INT).pk("a").build();

        assertThat(mapping("public.t", "g.t").drop("id").problemText(BLUE, GREEN))
                .contains("tables[0].columns.id: key column 'id' may be renamed or cast, but not dropped");
        TableSchema textKey = table("public.t").col("id", TEXT).col("name", TEXT).col("qty", INT).pk("id").build();
        assertThat(mapping("public.t", "g.t").split("id", "-", "a", "b").problemText(textKey, green))
                .contains("key column 'id' may be renamed or cast, but not split");
    }

    @Test
    void keyColumnMergedWithAnotherSourceIsProducedTwice() {
        TableSchema blue = table("public.t").col("id", TEXT).col("name", TEXT).col("qty", INT).pk("id").build();
        TableSchema green = table("g.t").col("id", TEXT).col("name", TEXT).col("qty", INT).pk("id").build();

        assertThat(mapping("public.t", "g.t").merge("id", "-", "name", "qty").problemText(blue, green))
                .contains("tables[0].add.id: green column 'id' is produced twice (also by column id");
    }

    @Test
    void expressionSyntaxErrorIsAConfigProblemWithJexlsMessage() {
        assertThat(mapping("public.t", "g.t").expr("x", "qty *").problemText(BLUE, GREEN))
                .contains("tables[0].add.x: expression 'qty *' is not valid JEXL")
                .contains("add.x@1:");
    }

    @ParameterizedTest
    @ValueSource(strings = {"qty = 3", "qty += 1", "qty; name", "var y = 1", "while (true) { 1 }",
        "new('java.io.File', '/')", "(a) -> a", "function() { 1 }", "#pragma x 1\nqty", "@silent qty",
        "if (qty) 1 else 2", "return qty"})
    void expressionsCannotHaveSideEffectsOrBeScripts(String expr) {
        assertThat(mapping("public.t", "g.t").expr("x", expr).problemText(BLUE, GREEN)).contains("is not valid JEXL");
    }

    @Test
    void filterMustParseAsAnExpression() {
        assertThat(mapping("public.t", "g.t").filter("qty >").problemText(BLUE, GREEN))
                .contains("tables[0]: filter: expression 'qty >' is not valid JEXL");
        assertThat(mapping("public.t", "g.t").filter(" ").problemText(BLUE, GREEN))
                .contains("filter: the expression is empty");
    }

    @Test
    void timestamptzCastNeedsAValidZone() {
        TableSchema blue = table("public.t").col("id", INT).col("at", TS).pk("id").build();
        TableSchema green = table("g.t").col("id", INT).col("at", TSTZ).pk("id").build();

        assertThat(mapping("public.t", "g.t").cast("at", null, "timestamptz").problemText(blue, green))
                .contains("tables[0].columns.at: cast 'timestamptz' needs 'zone:'");
        assertThat(mapping("public.t", "g.t").cast("at", null, "timestamptz", Map.of("zone", "Mars/Olympus"))
                .problemText(blue, green)).contains("zone 'Mars/Olympus' is not a known time zone");
    }

    @Test
    void minorUnitsNeedAScaleWhenBlueDeclaresNone() {
        TableSchema blue = table("public.t").col("id", INT).col("amount", TestTables.NUMERIC).pk("id").build();
        TableSchema green = table("g.t").col("id", INT).col("cents", TestTables.BIGINT).pk("id").build();

        assertThat(mapping("public.t", "g.t").cast("amount", "cents", "minor-units").problemText(blue, green))
                .contains("needs 'scale: N'").contains("numeric) declares no scale");
        assertThat(mapping("public.t", "g.t").cast("amount", "cents", "minor-units", Map.of("scale", "-1"))
                .problemText(blue, green)).contains("scale '-1' must be a whole number from 0 to 18");
    }

    @Test
    void optionsThatDoNotBelongToTheCastAreProblems() {
        assertThat(mapping("public.t", "g.t").cast("qty", null, null, Map.of("zone", "UTC")).problemText(BLUE, GREEN))
                .contains("option 'zone' applies only to cast 'timestamptz', and this column declares no cast");
        TableSchema green = table("g.t").col("id", INT).col("name", TEXT).col("qty", TestTables.BIGINT).pk("id").build();
        assertThat(mapping("public.t", "g.t").cast("qty", null, "bigint", Map.of("scale", "2")).problemText(BLUE, green))
                .contains("option 'scale' applies only to cast 'minor-units', not to 'bigint'");
    }

    @Test
    void droppedColumnCannotAlsoBeRenamed() {
        ColumnMapping both = new ColumnMapping("qty", true, "quantity", null, Map.of(), List.of(), null,
                TestTables.loc("tables[0].columns.qty"));

        assertThat(mapping("public.t", "g.t").column(both).problemText(BLUE, GREEN))
                .contains("column 'qty' is dropped and also renamed, cast or split");
    }

    @Test
    void unsupportedBlueTypesAreNamed() {
        TableSchema blue = table("public.t").col("id", INT).col("where", POINT).pk("id").build();
        TableSchema green = table("g.t").col("id", INT).col("where", POINT).col("x", TEXT).pk("id").build();

        assertThat(mapping("public.t", "g.t").problemText(blue, green))
                .contains("blue type point is not supported by bluegreen").contains("drop the column");
        assertThat(mapping("public.t", "g.t").drop("where").expr("x", "where").problemText(blue, green))
                .contains("blue column 'where' has type point, which bluegreen does not support");
        assertThat(mapping("public.t", "g.t").drop("where").compile(blue, green).blueTable())
                .as("a dropped unsupported column is fine").isEqualTo(TableId.parse("public.t"));
    }
}
