package dev.bluegreen.transform;

import static dev.bluegreen.transform.TestTables.BIGINT;
import static dev.bluegreen.transform.TestTables.BOOL;
import static dev.bluegreen.transform.TestTables.DOUBLE;
import static dev.bluegreen.transform.TestTables.INT;
import static dev.bluegreen.transform.TestTables.NUMERIC;
import static dev.bluegreen.transform.TestTables.TEXT;
import static dev.bluegreen.transform.TestTables.TS;
import static dev.bluegreen.transform.TestTables.arrayOf;
import static dev.bluegreen.transform.TestTables.numeric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.value.Unavailable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Expression results and constants become the green column's canonical class, exactly or not at all. */
class ConversionsTest {

    @Test
    void integersBecomeLongExactly() {
        assertThat(Conversions.toCanonical(7, INT)).isEqualTo(7L);
        assertThat(Conversions.toCanonical(BigInteger.TEN, BIGINT)).isEqualTo(10L);
        assertThat(Conversions.toCanonical(new BigDecimal("150.00"), BIGINT)).isEqualTo(150L);
        assertThatThrownBy(() -> Conversions.toCanonical(new BigDecimal("1.5"), BIGINT))
                .isInstanceOf(RowConversionException.class).hasMessageContaining("cannot be stored exactly in bigint");
        assertThatThrownBy(() -> Conversions.toCanonical(BigInteger.TWO.pow(64), BIGINT))
                .isInstanceOf(RowConversionException.class);
        assertThatThrownBy(() -> Conversions.toCanonical(1.0d, BIGINT))
                .as("a double is never silently truncated").isInstanceOf(RowConversionException.class);
    }

    @Test
    void numbersBecomeBigDecimalPaddedToTheDeclaredScale() {
        assertThat(Conversions.toCanonical(3L, numeric(8, 2))).isEqualTo(new BigDecimal("3.00"));
        assertThat(Conversions.toCanonical(0.1d, numeric(8, 2))).isEqualTo(new BigDecimal("0.10"));
        assertThat(Conversions.toCanonical(new BigDecimal("1.005"), numeric(8, 2)))
                .as("never rounded; checkFits rejects it later").isEqualTo(new BigDecimal("1.005"));
        assertThat(Conversions.toCanonical(new BigDecimal("1.50"), NUMERIC)).isEqualTo(new BigDecimal("1.50"));
        assertThatThrownBy(() -> Conversions.toCanonical(Double.NaN, NUMERIC)).isInstanceOf(RowConversionException.class);
    }

    @Test
    void textIsNeverParsedIntoNumbersOrBooleans() {
        assertThatThrownBy(() -> Conversions.toCanonical("1", BIGINT)).isInstanceOf(RowConversionException.class);
        assertThatThrownBy(() -> Conversions.toCanonical("true", BOOL)).isInstanceOf(RowConversionException.class);
        assertThatThrownBy(() -> Conversions.toCanonical(1L, TEXT)).isInstanceOf(RowConversionException.class);
        assertThat(Conversions.toCanonical(true, BOOL)).isEqualTo(true);
        assertThat(Conversions.toCanonical(2L, DOUBLE)).isEqualTo(2.0d);
    }

    @Test
    void isoTextBecomesTimesAndArraysConvertElementwise() {
        assertThat(Conversions.toCanonical("2024-01-31T10:15:30", TS)).isEqualTo(LocalDateTime.of(2024, 1, 31, 10, 15, 30));
        assertThat(Conversions.toCanonical(List.of(1, 2), arrayOf(BIGINT))).isEqualTo(List.of(1L, 2L));
    }

    @Test
    void nullAndUnavailablePassUnchanged() {
        assertThat(Conversions.toCanonical(null, BIGINT)).isNull();
        assertThat(Conversions.toCanonical(Unavailable.VALUE, BIGINT)).isSameAs(Unavailable.VALUE);
    }
}
