package dev.bluegreen.cutover.parity.pushdown;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TypeKind;
import org.junit.jupiter.api.Test;

/** Issue 3: pushdown only where both servers' text output is equal exactly when the canonical values are. */
class PushdownPlanTest {

    private static ColumnType t(TypeKind k, String name) {
        return ColumnType.of(k, name);
    }

    @Test
    void integerWideningEnumToTextAndSameTypesHaveTheSameText() {
        assertThat(PushdownPlan.sameText(t(TypeKind.INT32, "integer"), t(TypeKind.INT64, "bigint"))).isTrue();
        assertThat(PushdownPlan.sameText(t(TypeKind.ENUM, "public.mood"), t(TypeKind.TEXT, "text"))).isTrue();
        assertThat(PushdownPlan.sameText(t(TypeKind.TEXT, "character varying(10)"), t(TypeKind.TEXT, "text"))).isTrue();
        assertThat(PushdownPlan.sameText(t(TypeKind.NUMERIC, "numeric(10,2)"), t(TypeKind.NUMERIC, "numeric"))).isTrue();
        ColumnType intArray = new ColumnType(TypeKind.ARRAY, "integer[]", -1, -1, -1, t(TypeKind.INT32, "integer"));
        ColumnType bigintArray = new ColumnType(TypeKind.ARRAY, "bigint[]", -1, -1, -1, t(TypeKind.INT64, "bigint"));
        assertThat(PushdownPlan.sameText(intArray, bigintArray)).isTrue();
    }

    @Test
    void paddedCharAndFloatWideningDoNot() {
        assertThat(PushdownPlan.sameText(t(TypeKind.TEXT, "character(5)"), t(TypeKind.TEXT, "character(8)"))).isFalse();
        assertThat(PushdownPlan.sameText(t(TypeKind.FLOAT32, "real"), t(TypeKind.FLOAT64, "double precision"))).isFalse();
        assertThat(PushdownPlan.sameText(t(TypeKind.TIMESTAMP, "timestamp without time zone"),
                t(TypeKind.TIMESTAMPTZ, "timestamp with time zone"))).isFalse();
    }
}
