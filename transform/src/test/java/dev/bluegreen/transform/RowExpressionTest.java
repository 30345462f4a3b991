package dev.bluegreen.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.value.Unavailable;
import dev.bluegreen.transform.expr.RowExpression;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** The JEXL sandbox: what an expression may read and do. */
class RowExpressionTest {

    @Test
    void variablesAreTheBlueColumnsReadInOrderOfFirstUse() {
        RowExpression e = RowExpression.compile("b > 0 ? a.length() + b : size(c) + b", "add.x");

        assertThat(e.variables()).containsExactly("b", "a", "c");
        assertThat(e.text()).isEqualTo("b > 0 ? a.length() + b : size(c) + b");
    }

    @Test
    void evaluatesOverTheRowWithDecimalAndIntegerArithmetic() {
        Row row = Row.ofPairs("n", 3L, "d", new BigDecimal("1.50"), "s", "abc");

        assertThat(RowExpression.compile("n * 2", "x").evaluate(row)).isEqualTo(6L);
        assertThat(RowExpression.compile("d * 100", "x").evaluate(row)).isEqualTo(new BigDecimal("150.00"));
        assertThat(RowExpression.compile("s.toUpperCase() + n", "x").evaluate(row)).isEqualTo("ABC3");
        assertThat(RowExpression.compile("s == null", "x").evaluate(row)).isEqualTo(false);
    }

    @Test
    void nullOperandsAndDivisionByZeroAreRowErrors() {
        Row row = Row.ofPairs("n", null, "z", 0L);

        assertThatThrownBy(() -> RowExpression.compile("n + 1", "x").evaluate(row))
                .isInstanceOf(RowConversionException.class)
                .hasMessageContaining("expression 'n + 1' failed with n=NULL").hasMessageContaining("null");
        assertThatThrownBy(() -> RowExpression.compile("1 / z", "x").evaluate(row))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("z=0");
        assertThat(RowExpression.compile("n == null ? 0 : n + 1", "x").evaluate(row)).isEqualTo(0);
    }

    @Test
    void restrictedPermissionsForbidReflection() {
        Row row = Row.ofPairs("s", "abc");

        assertThatThrownBy(() -> RowExpression.compile("s.getClass().forName('java.lang.Runtime')", "x").evaluate(row))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("forName");
    }

    @Test
    void reportsUnavailableInputs() {
        RowExpression e = RowExpression.compile("a + b", "x");

        assertThat(e.readsUnavailable(Row.ofPairs("a", 1L, "b", Unavailable.VALUE))).isTrue();
        assertThat(e.readsUnavailable(Row.ofPairs("a", 1L, "b", 2L, "c", Unavailable.VALUE))).isFalse();
        assertThat(e.inputs(Row.ofPairs("a", 1L))).isEqualTo("a=1, b=(absent)");
    }

    @Test
    void syntaxErrorsNameWhereTheyAre() {
        assertThatThrownBy(() -> RowExpression.compile("a +", "add.total"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expression 'a +' is not valid JEXL").hasMessageContaining("add.total@1:");
        assertThatThrownBy(() -> RowExpression.compile("", "filter"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    }
}
