package dev.bluegreen.cutover.parity;

/** How one table's verification ended. The JSON names are API (report schema). */
public enum TableVerdict {
    /** Every row matched at the first comparison. */
    MATCH("match"),
    /** Some keys differed at first, and every one of them matched when rechecked after the sink caught up. */
    MATCH_AFTER_RECHECK("match-after-recheck"),
    /** Keys still differ after every recheck: green does not hold what blue holds. */
    MISMATCH("mismatch");

    private final String jsonName;

    TableVerdict(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The name used in the JSON report. */
    public String jsonName() {
        return jsonName;
    }

    /** True for {@link #MATCH} and {@link #MATCH_AFTER_RECHECK}. */
    public boolean isParity() {
        return this != MISMATCH;
    }
}
