package dev.bluegreen.datasource;

import java.util.Locale;

/**
 * Whether the application's writes may go to the route's target ({@link #SERVING}) or are paused for a
 * cutover ({@link #FROZEN}). Spelled {@code 'serving'} / {@code 'frozen'} in the {@code phase} column of
 * {@code bluegreen.route}.
 */
public enum Phase {
    SERVING,
    FROZEN;

    /** @return the spelling in {@code bluegreen.route.phase}: {@code "serving"} or {@code "frozen"} */
    public String sqlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param value {@code "serving"} or {@code "frozen"}, exactly as the route table's CHECK constraint allows
     * @return the phase
     * @throws IllegalArgumentException for any other value, including {@code null} and other letter cases
     */
    public static Phase fromSql(String value) {
        for (Phase phase : values()) {
            if (phase.sqlName().equals(value)) {
                return phase;
            }
        }
        throw new IllegalArgumentException("route phase must be 'serving' or 'frozen', got '" + value + "'");
    }
}
