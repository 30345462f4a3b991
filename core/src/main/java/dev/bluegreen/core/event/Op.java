package dev.bluegreen.core.event;

/**
 * The operation of a change event, as in Debezium's envelope field {@code op}.
 */
public enum Op {
    /** {@code c}: a row was inserted. */
    CREATE,
    /** {@code u}: a row was updated (same key). */
    UPDATE,
    /** {@code d}: a row was deleted. */
    DELETE,
    /** {@code r}: a row read by the initial snapshot. */
    READ,
    /** {@code t}: the table was truncated. */
    TRUNCATE;

    /**
     * Parses Debezium's one-letter code.
     *
     * @throws IllegalArgumentException for an unknown code (never defaulted)
     */
    public static Op fromCode(String code) {
        switch (code) {
            case "c": return CREATE;
            case "u": return UPDATE;
            case "d": return DELETE;
            case "r": return READ;
            case "t": return TRUNCATE;
            default: throw new IllegalArgumentException("unknown Debezium op code '" + code + "'");
        }
    }

    /** True when the event carries the row's new state (create, update, snapshot read). */
    public boolean hasAfter() {
        return this == CREATE || this == UPDATE || this == READ;
    }
}
