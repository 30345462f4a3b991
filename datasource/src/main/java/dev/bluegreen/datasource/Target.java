package dev.bluegreen.datasource;

import java.util.Locale;

/**
 * The database an application's connections go to: the old {@link #BLUE} one or the new {@link #GREEN}
 * one. Spelled {@code 'blue'} / {@code 'green'} in the {@code target} column of {@code bluegreen.route}.
 */
public enum Target {
    BLUE,
    GREEN;

    /** @return the spelling in {@code bluegreen.route.target}: {@code "blue"} or {@code "green"} */
    public String sqlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param value {@code "blue"} or {@code "green"}, exactly as the route table's CHECK constraint allows
     * @return the target
     * @throws IllegalArgumentException for any other value, including {@code null} and other letter cases
     */
    public static Target fromSql(String value) {
        for (Target target : values()) {
            if (target.sqlName().equals(value)) {
                return target;
            }
        }
        throw new IllegalArgumentException("route target must be 'blue' or 'green', got '" + value + "'");
    }
}
