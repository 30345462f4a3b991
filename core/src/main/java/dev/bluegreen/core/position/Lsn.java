package dev.bluegreen.core.position;

/**
 * A PostgreSQL log sequence number: a byte position in the write-ahead log.
 *
 * @param value the 64-bit position (unsigned in PostgreSQL; positions below 2^63 in practice)
 */
public record Lsn(long value) implements Position, Comparable<Lsn> {

    public Lsn {
        if (value < 0) {
            throw new IllegalArgumentException("LSN must not be negative: " + value);
        }
    }

    /**
     * Parses PostgreSQL's text form {@code 16/B374D848}.
     *
     * @throws IllegalArgumentException when the text is not of that form
     */
    public static Lsn parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not an LSN (expected 'X/Y' in hex): '" + text + "'");
        }
        long hi = Long.parseLong(text.substring(0, slash), 16);
        long lo = Long.parseLong(text.substring(slash + 1), 16);
        return new Lsn((hi << 32) | lo);
    }

    @Override
    public int compareTo(Lsn o) {
        return Long.compareUnsigned(value, o.value);
    }

    /** PostgreSQL's text form. */
    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
    }
}
