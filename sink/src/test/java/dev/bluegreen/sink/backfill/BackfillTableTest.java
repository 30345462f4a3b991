package dev.bluegreen.sink.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bluegreen.core.config.AddedColumn;
import dev.bluegreen.core.config.Location;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.config.TargetTable;
import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.error.ConfigException;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.transform.CompiledMapping;
import dev.bluegreen.transform.MappingCompiler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Chunk bounds as SQL, on each blue engine: the predicate a chunk's COPY or streaming select carries. */
class BackfillTableTest {

    private static final TableId BLUE = new TableId("shop", "line");
    private static final TableId GREEN = new TableId("app", "line");

    private static BackfillTable table(Engine engine, ColumnType first, ColumnType second) {
        List<ColumnSchema> cols = List.of(new ColumnSchema("a", first, false, false, false),
                new ColumnSchema("b", second, false, false, false), new ColumnSchema("note",
                        ColumnType.of(TypeKind.TEXT, "text"), true, false, false));
        TableSchema blue = new TableSchema(BLUE, cols, List.of("a", "b"), List.of(List.of("a", "b")), false);
        TableSchema green = new TableSchema(GREEN, cols, List.of("a", "b"), List.of(List.of("a", "b")), false);
        Location at = new Location("pipeline.yaml", 1, "tables[0]");
        TableMapping mapping = new TableMapping(BLUE, List.of(), null, List.of(), List.<AddedColumn>of(),
                List.of(new TargetTable(GREEN, List.of(), at)), at);
        List<ConfigException.Problem> problems = new ArrayList<>();
        CompiledMapping compiled = MappingCompiler.compile(mapping, blue, Map.of(GREEN, green), problems);
        assertThat(problems).isEmpty();
        return new BackfillTable(engine, blue, mapping, compiled);
    }

    private static final ColumnType BIGINT = ColumnType.of(TypeKind.INT64, "bigint(20)");
    private static final ColumnType VARCHAR = new ColumnType(TypeKind.TEXT, "varchar(20)", 20, -1, -1, null);
    private static final ColumnType BLOB = ColumnType.of(TypeKind.BYTES, "varbinary(16)");

    @Test
    void mariaDbNumbersGoUnquotedSoTheyAreNotComparedAsDoubles() {
        BackfillTable t = table(Engine.MARIADB, BIGINT, VARCHAR);
        Chunk c = new Chunk(BLUE, 3, List.of("9007199254740993", "it's"), List.of("9223372036854775807", "z\\z"));
        assertThat(t.rangePredicate(c)).isEqualTo("(`a`, `b`) >= (9007199254740993, 'it''s')"
                + " AND (`a`, `b`) < (9223372036854775807, 'z\\\\z')");
        assertThat(t.keyOrder()).isEqualTo("`a`, `b`");
        assertThat(t.rangePredicate(new Chunk(BLUE, 0, null, null))).isEqualTo("TRUE");
    }

    @Test
    void mariaDbBinaryBoundsAreReadAsHexAndWrittenAsHexLiterals() {
        BackfillTable t = table(Engine.MARIADB, BLOB, VARCHAR);
        assertThat(t.boundExpression("a")).isEqualTo("HEX(`a`)");
        assertThat(t.boundExpression("b")).isEqualTo("`b`");
        assertThat(t.rangePredicate(new Chunk(BLUE, 1, List.of("00FF5C", "x"), null)))
                .isEqualTo("(`a`, `b`) >= (X'00FF5C', 'x')");
        assertThatThrownBy(() -> t.rangePredicate(new Chunk(BLUE, 1, List.of("0x'; DROP", "x"), null)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> table(Engine.MARIADB, BIGINT, VARCHAR)
                .rangePredicate(new Chunk(BLUE, 1, List.of("1 OR 1=1", "x"), null)))
                .isInstanceOf(NumberFormatException.class);
    }

    @Test
    void postgresBoundsAreCastLiterals() {
        BackfillTable t = table(Engine.POSTGRESQL, ColumnType.of(TypeKind.INT64, "bigint"), ColumnType.of(TypeKind.TEXT, "text"));
        assertThat(t.rangePredicate(new Chunk(BLUE, 1, List.of("5", "it's"), null)))
                .isEqualTo("(\"a\", \"b\") >= (CAST('5' AS bigint), CAST('it''s' AS text))");
        assertThat(t.boundExpression("a")).isEqualTo("\"a\"::text");
    }

    @Test
    void aMariaDbTableIsNeverPiped() {
        assertThat(table(Engine.MARIADB, BIGINT, VARCHAR).pipeable()).isFalse();
        assertThat(table(Engine.MARIADB, BIGINT, VARCHAR).pipeReason()).contains("blue is MariaDB");
        assertThat(table(Engine.POSTGRESQL, BIGINT, VARCHAR).pipeable()).isTrue();
    }
}
