package dev.bluegreen.cli.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Issue 3 item 7, issue 4 item 9: times in bluegreen status read at a glance. */
class TimesTest {

    @Test
    void lengthsPickTheUnitAPersonReads() {
        assertThat(Times.length(Duration.ofMillis(999))).isEqualTo("0 s");
        assertThat(Times.length(Duration.ofSeconds(59))).isEqualTo("59 s");
        assertThat(Times.length(Duration.ofSeconds(60))).isEqualTo("1 min");
        assertThat(Times.length(Duration.ofMinutes(59).plusSeconds(59))).isEqualTo("59 min");
        assertThat(Times.length(Duration.ofHours(3))).isEqualTo("3 h");
        assertThat(Times.length(Duration.ofHours(3).plusMinutes(5))).isEqualTo("3 h 5 min");
        assertThat(Times.length(Duration.ofDays(2).plusHours(4).plusMinutes(30))).isEqualTo("2 d 4 h");
    }

    @Test
    void atIsUtcToTheSecondWithTheAge() {
        Instant now = Instant.parse("2026-11-23T09:00:00Z");
        assertThat(Times.at(Instant.parse("2026-11-23T08:48:00.750Z"), now))
                .isEqualTo("2026-11-23 08:48:00Z (11 min ago)");
        assertThat(Times.at(now.plusSeconds(3), now)).as("clock skew between green and this machine")
                .endsWith("(just now)");
    }
}
