package dev.bluegreen.core.value;

/**
 * Marker value for a column whose value the change event does not carry: PostgreSQL sends a
 * placeholder for an unchanged TOASTed value in an UPDATE when the table's replica identity is not
 * FULL. A column holding this marker must never be written to green (design property 4); the sink
 * leaves the green value as it is.
 */
public enum Unavailable {
    /** The only instance. */
    VALUE;

    /** Debezium's default {@code unavailable.value.placeholder} (text form). */
    public static final String DEBEZIUM_PLACEHOLDER = "__debezium_unavailable_value";

    @Override
    public String toString() {
        return "<unchanged TOAST value>";
    }
}
