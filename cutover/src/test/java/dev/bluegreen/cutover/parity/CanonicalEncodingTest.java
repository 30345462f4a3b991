package dev.bluegreen.cutover.parity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.core.event.Row;
import dev.bluegreen.cutover.parity.compare.CanonicalEncoding;
import dev.bluegreen.cutover.parity.compare.ChunkDigest;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.Arguments;

/** Issue 3: the chunk hash tells apart exactly the values the row model tells apart. */
class CanonicalEncodingTest {

    static List<Arguments> differentValues() {
        return List.of(
                Arguments.of(new BigDecimal("1.50"), new BigDecimal("1.5")),
                Arguments.of("abc", "abc "),
                Arguments.of(null, ""),
                Arguments.of("NULL", null),
                Arguments.of(Instant.parse("2024-01-01T10:00:00Z"), Instant.parse("2024-01-01T09:00:00Z")),
                Arguments.of(LocalDateTime.parse("2024-01-01T10:00:00"), LocalDateTime.parse("2024-01-01T10:00:00.000001")),
                Arguments.of(List.of("a", "b"), List.of("a", "c")),
                Arguments.of(Arrays.asList("a", null), List.of("a", "")),
                Arguments.of(0.0d, -0.0d),
                Arguments.of(1L, 1.0d),
                Arguments.of(1L, "1"),
                Arguments.of(true, 1L));
    }

    @ParameterizedTest
    @MethodSource("differentValues")
    void differentValuesHashDifferently(Object a, Object b) {
        Row x = Row.ofPairs("k", 1L, "v", a);
        Row y = Row.ofPairs("k", 1L, "v", b);
        assertThat(x).isNotEqualTo(y);
        assertThat(ChunkDigest.of(List.of(x))).isNotEqualTo(ChunkDigest.of(List.of(y)));
        assertThat(CanonicalEncoding.fingerprint(x)).isNotEqualTo(CanonicalEncoding.fingerprint(y));
    }

    @org.junit.jupiter.api.Test
    void equalValuesFromDifferentSourcesHashEqually() {
        Row x = Row.ofPairs("k", 1L, "p", new BigDecimal("1.50"), "tags", Arrays.asList("a", null),
                "at", Instant.parse("2024-01-01T10:00:00Z"));
        Row y = Row.ofPairs("k", 1L, "p", new BigDecimal("150").movePointLeft(2), "tags", java.util.Collections
                .unmodifiableList(new java.util.ArrayList<>(Arrays.asList("a", null))),
                "at", java.time.OffsetDateTime.parse("2024-01-01T11:00:00+01:00").toInstant());
        assertThat(x).isEqualTo(y);
        assertThat(ChunkDigest.of(List.of(x))).isEqualTo(ChunkDigest.of(List.of(y)));
    }

    @org.junit.jupiter.api.Test
    void columnBoundariesAreNotAmbiguous() {
        Row x = Row.ofPairs("a", "ab", "b", "c");
        Row y = Row.ofPairs("a", "a", "b", "bc");
        assertThat(ChunkDigest.of(List.of(x))).isNotEqualTo(ChunkDigest.of(List.of(y)));
    }
}
