package dev.bluegreen.core.dialect.postgres.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bluegreen.core.value.Bytes;
import dev.bluegreen.core.value.Unavailable;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** COPY text encoding of canonical values (the real round trip through PostgreSQL is in BackfillIT). */
class TextCopyWriterTest {

    private static String encode(Object... values) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TextCopyWriter w = new TextCopyWriter(out::write);
        w.writeRow(Arrays.asList(values));
        w.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void scalarsInTheirInputForms() throws Exception {
        assertThat(encode(1L, null, "a\tb\nc\\d\re", new BigDecimal("1.50"), true, 1.5f, Double.NaN))
                .isEqualTo("1\t\\N\ta\\tb\\nc\\\\d\\re\t1.50\tt\t1.5\tNaN\n");
        assertThat(encode(LocalDate.of(2024, 2, 29), LocalDate.MAX, LocalDate.of(-43, 3, 15), LocalTime.of(10, 15),
                LocalDateTime.of(2024, 1, 1, 12, 0, 0, 123_456_000), LocalDateTime.MIN))
                .isEqualTo("2024-02-29\tinfinity\t0044-03-15 BC\t10:15\t2024-01-01T12:00:00.123456\t-infinity\n");
        assertThat(encode(Instant.parse("2024-01-01T10:00:00.5Z"), OffsetDateTime.MAX.toInstant(),
                Bytes.of(new byte[] {0, (byte) 0xff, 0x5c}), new UUID(0, 1)))
                .isEqualTo("2024-01-01T10:00:00.500Z\tinfinity\t\\\\x00ff5c\t00000000-0000-0000-0000-000000000001\n");
    }

    @Test
    void arraysQuoteEveryElement() throws Exception {
        assertThat(encode(List.of(1L, 2L), Arrays.asList("x y", null, "q\"u", "b\\s"), List.of()))
                .isEqualTo("{\"1\",\"2\"}\t{\"x y\",NULL,\"q\\\\\"u\",\"b\\\\\\\\s\"}\t{}\n");
    }

    @Test
    void longAndNonAsciiTextTakeBothPaths() throws Exception {
        String unit = "ü\t🎉\\x";
        String longText = unit.repeat(10_000); // longer than a third of the buffer: the byte-by-byte path
        String expectedUnit = "ü\\t🎉\\\\x";
        assertThat(encode(unit)).isEqualTo(expectedUnit + "\n");
        assertThat(encode(longText, "tail")).isEqualTo(expectedUnit.repeat(10_000) + "\ttail\n");
    }

    @Test
    void placeholderIsRefused() {
        assertThatThrownBy(() -> encode(Unavailable.VALUE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unchanged-TOAST");
    }
}
