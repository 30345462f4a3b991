package dev.bluegreen.cutover.parity;

/** What is wrong with one green row, seen through the mapping. The JSON names are API (report schema). */
public enum DifferenceKind {
    /** Blue has the row (and the mapping keeps it) but green has no row under its key. */
    MISSING_IN_GREEN("missing-in-green"),
    /** Green has a row that no blue row maps to (no blue row with that key, or the filter drops it). */
    EXTRA_IN_GREEN("extra-in-green"),
    /** Both have the row; one or more columns differ. */
    DIFFERING("differing"),
    /** The blue row cannot be run through the mapping (a cast or expression fails): green cannot hold it. */
    UNCONVERTIBLE("unconvertible");

    private final String jsonName;

    DifferenceKind(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The name used in the JSON and HTML reports. */
    public String jsonName() {
        return jsonName;
    }
}
