package dev.bluegreen.core.dialect.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TypeKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MariaDbDialectTest {

    private final MariaDbDialect d = MariaDbDialect.INSTANCE;

    @Test
    void identifiersAreBacktickedWithBackticksDoubled() {
        assertThat(d.quote("Album")).isEqualTo("`Album`");
        assertThat(d.quote("we`ird")).isEqualTo("`we``ird`");
        assertThat(d.table(new TableId("Chinook", "InvoiceLine"))).isEqualTo("`Chinook`.`InvoiceLine`");
    }

    @Test
    void literalsEscapeQuotesBackslashesAndNul() {
        assertThat(d.literal("plain")).isEqualTo("'plain'");
        assertThat(d.literal("it's")).isEqualTo("'it''s'");
        assertThat(d.literal("back\\slash")).isEqualTo("'back\\\\slash'");
        assertThat(d.literal("nul\0byte")).isEqualTo("'nul\\0byte'");
        assertThat(d.literal("")).isEqualTo("''");
    }

    @Test
    void upsertUpdatesNonKeyColumnsAndIgnoresWhenAllAreKeys() {
        Map<String, ColumnType> types = Map.of("id", ColumnType.of(TypeKind.INT32, "int(11)"),
                "name", ColumnType.of(TypeKind.TEXT, "varchar(20)"));
        TableId t = new TableId("shop", "item");
        assertThat(d.upsert(t, List.of("id"), List.of("id", "name"), types)).isEqualTo(
                "INSERT INTO `shop`.`item` (`id`, `name`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `name` = VALUES(`name`)");
        assertThat(d.upsert(t, List.of("id"), List.of("id"), types))
                .isEqualTo("INSERT IGNORE INTO `shop`.`item` (`id`) VALUES (?)");
        assertThat(d.delete(t, List.of("id"), types)).isEqualTo("DELETE FROM `shop`.`item` WHERE `id` = ?");
        assertThat(d.update(t, List.of("id"), List.of("name"), types))
                .isEqualTo("UPDATE `shop`.`item` SET `name` = ? WHERE `id` = ?");
    }

    @Test
    void floatsAreSelectedAsDoublesAndTheRestAsThemselves() {
        assertThat(MariaDbValueReader.selectExpression("ratio", ColumnType.of(TypeKind.FLOAT32, "float")))
                .isEqualTo("CAST(`ratio` AS DOUBLE) AS `ratio`");
        assertThat(MariaDbValueReader.selectExpression("score", ColumnType.of(TypeKind.FLOAT64, "double")))
                .isEqualTo("`score`");
    }

    @Test
    void engineIsToldByTheUrlScheme() {
        assertThat(Engine.ofUrl("jdbc:mariadb://h:3306/db")).isEqualTo(Engine.MARIADB);
        assertThat(Engine.ofUrl("jdbc:postgresql://h/db")).isEqualTo(Engine.POSTGRESQL);
        assertThat(Engine.ofUrl("jdbc:mysql://h/db")).isNull();
        assertThat(Engine.ofUrl(null)).isNull();
        assertThat(Engine.MARIADB.dialect()).isSameAs(MariaDbDialect.INSTANCE);
    }
}
