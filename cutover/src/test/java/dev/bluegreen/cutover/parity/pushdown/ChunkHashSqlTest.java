package dev.bluegreen.cutover.parity.pushdown;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TypeKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** S4: one chunk hash is one prepared string: the transaction's settings, then the hash with the clock. */
class ChunkHashSqlTest {

    private static final ColumnType INT = ColumnType.of(TypeKind.INT32, "integer");
    private static final ColumnType TEXT = ColumnType.of(TypeKind.TEXT, "text");
    private static final String CLOCK = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

    private final ChunkHashSql single = new ChunkHashSql(TableId.parse("public.accounts"), List.of("aid"),
            List.of("aid", "filler"), Map.of("aid", INT, "filler", TEXT));
    private final ChunkHashSql composite = new ChunkHashSql(TableId.parse("public.lines"), List.of("a", "b"),
            List.of("a", "b", "v"), Map.of("a", INT, "b", INT, "v", TEXT));

    @Test
    void theClockIsTheThirdColumnOfTheOuterAggregateAndTheKeyFollows() {
        String sql = single.sql(null, null, 5000);
        assertThat(sql).startsWith("SELECT count(*), sum(bluegreen_row_hash)::text, " + CLOCK + ", max(\"aid\") FROM (");
        // evaluated in the aggregate's projection, after every row was read: not inside the scanned subquery
        assertThat(sql.substring(sql.indexOf(" FROM ("))).doesNotContain("clock_timestamp");
        assertThat(sql).contains("hashtextextended(ROW(\"aid\"::text, \"filler\"::text)::text, 0)")
                .endsWith(" ORDER BY \"aid\" LIMIT 5000) c");

        String multi = composite.sql(null, null, 0);
        assertThat(multi).startsWith("SELECT count(*), sum(bluegreen_row_hash)::text, " + CLOCK
                + ", (array_agg(\"a\" ORDER BY \"a\" DESC, \"b\" DESC))[1], (array_agg(\"b\" ORDER BY \"a\" DESC, \"b\" DESC))[1]");
        assertThat(multi).doesNotContain("LIMIT");
    }

    @Test
    void theSettingsTravelInTheSameStringAsLocalSettingsWithoutParameters() {
        Row after = Row.ofPairs("aid", 10);
        Row upTo = Row.ofPairs("aid", 20);
        String statements = single.statements(after, upTo, 0);
        assertThat(statements).isEqualTo(ChunkHashSql.SETTINGS + "; " + single.sql(after, upTo, 0));
        assertThat(statements.split(";", -1)).hasSize(2);
        // the hash's bounds are the only parameters, so they bind from 1 as in the hash alone
        assertThat(ChunkHashSql.SETTINGS).doesNotContain("?").doesNotContainIgnoringCase("SET LOCAL");
        assertThat(statements.chars().filter(ch -> ch == '?').count()).isEqualTo(2);
        for (String setting : List.of("'transaction_read_only', 'on', true", "'TimeZone', 'UTC', true",
                "'DateStyle', 'ISO, YMD', true", "'IntervalStyle', 'postgres', true", "'extra_float_digits', '1', true",
                "'bytea_output', 'hex', true")) {
            assertThat(ChunkHashSql.SETTINGS).contains("set_config(" + setting + ")");
        }
    }
}
