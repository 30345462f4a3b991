package dev.bluegreen.cutover.parity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Issue 3: the verify settings, pinned defaults and every bound (nothing is clamped). */
class ParitySettingsTest {

    @Test
    void defaultsArePinned() {
        ParitySettings d = ParitySettings.defaults();
        assertThat(d.chunkSizeRows()).isEqualTo(5_000);
        assertThat(d.maxRowsPerSecond()).isZero();
        assertThat(d.path()).isEqualTo(VerifyPath.AUTO);
        assertThat(d.recheckAttempts()).isEqualTo(3);
        assertThat(d.catchUpTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(d.lockedRecheckTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.lockedRecheckMaxKeys()).isEqualTo(1_000);
        assertThat(d.bisectLeafRows()).isEqualTo(256);
    }

    @Test
    void outOfRangeValuesAreRejectedWithTheLimit() {
        assertThatThrownBy(() -> ParitySettings.defaults().withChunkSizeRows(0)).hasMessageContaining("1 to 100000");
        assertThatThrownBy(() -> ParitySettings.defaults().withChunkSizeRows(100_001)).hasMessageContaining("100000");
        assertThatThrownBy(() -> ParitySettings.defaults().withMaxRowsPerSecond(-1)).hasMessageContaining("positive");
        assertThatThrownBy(() -> ParitySettings.defaults().withRecheck(101, Duration.ZERO, Duration.ZERO))
                .hasMessageContaining("0 to 100");
        assertThatThrownBy(() -> VerifyPath.parse("fast")).hasMessageContaining("auto, streaming or pushdown");
    }
}
