package dev.bluegreen.cutover.finalcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 4, item 6: the stretch of the table topics between two sets of the sink's offsets. */
class OffsetRangeTest {

    private static final List<String> TABLE_TOPICS = List.of("bluegreen.p.public.a", "bluegreen.p.public.b");

    @Test
    void rangesRunFromTheEarlierOffsetsToTheLaterOnesOfTableTopicsOnly() {
        List<OffsetRange> ranges = OffsetRange.between(
                Map.of("bluegreen.p.public.a/0", 10L, "bluegreen.p.public.a/1", 7L, "bluegreen.p.public.b/0", 3L,
                        "bluegreen.p.bluegreen.heartbeat/0", 50L),
                Map.of("bluegreen.p.public.a/0", 25L, "bluegreen.p.public.a/1", 7L, "bluegreen.p.public.b/0", 4L,
                        "bluegreen.p.bluegreen.heartbeat/0", 90L),
                TABLE_TOPICS);

        assertThat(ranges).containsExactly(new OffsetRange("bluegreen.p.public.a", 0, 10, 25),
                new OffsetRange("bluegreen.p.public.b", 0, 3, 4));
        assertThat(ranges).extracting(OffsetRange::size).containsExactly(15L, 1L);
    }

    @Test
    void aPartitionTheSinkHadNotReadFromStartsAtTheBeginning() {
        assertThat(OffsetRange.between(Map.of(), Map.of("bluegreen.p.public.b/2", 6L), TABLE_TOPICS))
                .containsExactly(new OffsetRange("bluegreen.p.public.b", 2, 0, 6));
    }

    @Test
    void offsetsThatWentBackAreRefusedWithTheFix() {
        assertThatThrownBy(() -> OffsetRange.between(Map.of("bluegreen.p.public.a/0", 10L),
                Map.of("bluegreen.p.public.a/0", 9L), TABLE_TOPICS))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("bluegreen.p.public.a/0 is 9, behind 10")
                .hasMessageContaining("run bluegreen verify again");
        assertThatThrownBy(() -> OffsetRange.between(Map.of("bluegreen.p.public.a/0", 10L), Map.of(), TABLE_TOPICS))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is gone");
    }

    @Test
    void malformedKeysAndRangesAreRejected() {
        assertThatThrownBy(() -> OffsetRange.between(Map.of(), Map.of("bluegreen.p.public.a/x", 1L), TABLE_TOPICS))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not topic/partition");
        assertThatThrownBy(() -> new OffsetRange("t", 0, 5, 4)).isInstanceOf(IllegalArgumentException.class);
    }
}
