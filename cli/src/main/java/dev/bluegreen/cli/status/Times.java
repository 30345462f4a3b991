package dev.bluegreen.cli.status;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** Times for people reading {@code bluegreen status}: UTC to the second, and how long ago. Stateless. */
final class Times {

    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Times() {
    }

    /** {@code 2026-11-23 09:00:00Z (12 min ago)}; a time after {@code now} (clock skew) reads "just now". */
    static String at(Instant t, Instant now) {
        return UTC.format(t.truncatedTo(ChronoUnit.SECONDS)) + " (" + ago(Duration.between(t, now)) + ")";
    }

    /** {@code 45 s ago}, {@code 12 min ago}, {@code 3 h 5 min ago}, {@code 2 d 4 h ago}. */
    static String ago(Duration d) {
        if (d.isNegative() || d.toSeconds() < 1) {
            return "just now";
        }
        return length(d) + " ago";
    }

    /** {@code 45 s}, {@code 12 min}, {@code 3 h 5 min}, {@code 2 d 4 h}; whole seconds at least. */
    static String length(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min";
        }
        if (s < 86_400) {
            return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
        }
        return s / 86_400 + " d" + (s % 86_400 / 3600 == 0 ? "" : " " + s % 86_400 / 3600 + " h");
    }
}
