package dev.bluegreen.cutover.parity;

import java.util.Locale;

/**
 * How chunk hashes are computed: by bluegreen from streamed rows, or by the servers themselves.
 * The JSON names are API (command line and report).
 */
public enum VerifyPath {
    /** Pushdown where the mapping allows it, else streaming (the default). */
    AUTO,
    /** Every blue row read, run through the mapping and hashed by bluegreen. */
    STREAMING,
    /** Per-chunk aggregate hashes computed in SQL by each server; only rows of differing chunks travel. */
    PUSHDOWN;

    /** The lower-case name used on the command line and in reports. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a command-line value.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static VerifyPath parse(String text) {
        for (VerifyPath p : values()) {
            if (p.jsonName().equals(text)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown path '" + text + "'; use auto, streaming or pushdown");
    }
}
