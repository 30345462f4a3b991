package dev.bluegreen.transform;

import static dev.bluegreen.transform.TestTables.BIGINT;
import static dev.bluegreen.transform.TestTables.INT;
import static dev.bluegreen.transform.TestTables.SMALLINT;
import static dev.bluegreen.transform.TestTables.TEXT;
import static dev.bluegreen.transform.TestTables.TS;
import static dev.bluegreen.transform.TestTables.TSTZ;
import static dev.bluegreen.transform.TestTables.mapping;
import static dev.bluegreen.transform.TestTables.table;
import static dev.bluegreen.transform.TestTables.varchar;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.core.error.ConfigException.Problem;
import dev.bluegreen.core.schema.TableSchema;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every compile-time problem names where it is and what to do. */
class MappingProblemsTest {

    private static final TableSchema BLUE = table("public.t").col("id", INT).col("name", TEXT).col("qty", INT)
            .pk("id").build();
    private static final TableSchema GREEN = table("g.t").col("id", INT).col("name", TEXT).col("qty", INT)
            .pk("id").build();

    private static String messages(List<Problem> problems) {
        return problems.toString();
    }

    @Test
    void missingBlueColumnSuggestsTheClosestName() {
        List<Problem> p = mapping("public.t", "g.t").rename("nmae", "name").problems(BLUE, GREEN);
        assertThat(p).anySatisfy(x -> {
            assertThat(x.path()).isEqualTo("tables[0].columns.nmae");
            assertThat(x.file()).isEqualTo("pipeline.yaml");
            assertThat(x.line()).isEqualTo(7);
            assertThat(x.message()).contains("has no column 'nmae'").contains("did you mean 'name'?");
        });
    }

    @Test
    void missingGreenTable() {
        assertThat(messages(mapping("public.t", "g.missing").problems(BLUE, GREEN)))
                .contains("green table g.missing does not exist; create it");
    }

    @Test
    void missingGreenColumnForAPassthroughSaysRenameOrDrop() {
        TableSchema green = table("g.t").col("id", INT).col("name", TEXT).pk("id").build();
        assertThat(messages(mapping("public.t", "g.t").problems(BLUE, green)))
                .contains("green table g.t has no column 'qty'").contains("rename it").contains("drop it");
    }

    @Test
    void disallowedCastNamesBothTypes() {
        assertThat(messages(mapping("public.t", "g.t").cast("name", null, "timestamptz", Map.of("zone", "UTC"))
                .problems(BLUE, GREEN))).contains("cast 'timestamptz'").contains("text (blue)").contains("text (green)");
    }

    @Test
    void narrowingWithoutACastAsksForOne() {
        TableSchema green = table("g.t").col("id", INT).col("name", varchar(10)).col("qty", SMALLINT).pk("id").build();
        String m = messages(mapping("public.t", "g.t").problems(BLUE, green));
        assertThat(m).contains("declare cast: varchar").contains("declare cast: smallint");
    }

    @Test
    void timestamptzCastNeedsAValidZone() {
        TableSchema blue = table("public.t").col("id", INT).col("at", TS).pk("id").build();
        TableSchema green = table("g.t").col("id", INT).col("at", TSTZ).pk("id").build();
        assertThat(messages(mapping("public.t", "g.t").cast("at", null, "timestamptz", Map.of()).problems(blue, green)))
                .contains("needs 'zone:'");
        assertThat(messages(mapping("public.t", "g.t").cast("at", null, "timestamptz", Map.of("zone", "Mars/Olympus"))
                .problems(blue, green))).contains("not a known time zone");
    }

    @Test
    void tableWithoutAKeyIsRejectedWithTheFixSpelledOut() {
        TableSchema keyless = table("public.history").col("tid", INT).col("delta", INT).build();
        TableSchema green = table("g.history").col("tid", INT).col("delta", INT).pk("tid").build();
        assertThat(messages(mapping("public.history", "g.history").problems(keyless, green)))
                .contains("has no primary key")
                .contains("ALTER TABLE public.history ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
                .contains("CREATE UNIQUE INDEX ON public.history");
    }

    @Test
    void declaredKeyMustBeBackedByAUniqueIndex() {
        assertThat(messages(mapping("public.t", "g.t").key("name").problems(BLUE, GREEN)))
                .contains("declared key [name]").contains("CREATE UNIQUE INDEX ON public.t (name)");
    }

    @Test
    void greenTableWithoutAKeyOnTheMappedKeyColumns() {
        TableSchema green = table("g.t").col("id", INT).col("name", TEXT).col("qty", INT).pk("name").build();
        assertThat(messages(mapping("public.t", "g.t").problems(BLUE, green)))
                .contains("needs a primary key").contains("[id]");
    }

    @Test
    void keyColumnCannotBeDropped() {
        assertThat(messages(mapping("public.t", "g.t").drop("id").problems(BLUE, GREEN)))
                .contains("key column 'id' may be renamed or cast, but not dropped");
    }

    @Test
    void expressionSyntaxErrorIsAConfigProblem() {
        TableSchema green = table("g.t").col("id", INT).col("name", TEXT).col("qty", INT).col("x", BIGINT).pk("id").build();
        assertThat(messages(mapping("public.t", "g.t").expr("x", "qty *").problems(BLUE, green)))
                .contains("tables[0].add.x").contains("not valid JEXL");
        assertThat(messages(mapping("public.t", "g.t").expr("x", "qty = 3").problems(BLUE, green)))
                .as("assignments are side effects").contains("not valid JEXL");
        assertThat(messages(mapping("public.t", "g.t").expr("x", "nope * 2").problems(BLUE, green)))
                .contains("has no column 'nope'");
    }

    @Test
    void notNullGreenColumnWithoutValueOrDefault() {
        TableSchema green = table("g.t").col("id", INT).col("name", TEXT).col("qty", INT).notNull("region", TEXT)
                .pk("id").build();
        assertThat(messages(mapping("public.t", "g.t").problems(BLUE, green)))
                .contains("g.t.region is NOT NULL without a default").contains("add:");
    }

    @Test
    void badConstantIsAConfigProblem() {
        TableSchema green = table("g.t").col("id", INT).col("name", TEXT).col("qty", INT).col("n", BIGINT).pk("id").build();
        assertThat(messages(mapping("public.t", "g.t").constant("n", "many").problems(BLUE, green)))
                .contains("constant for 'n'");
    }
}
