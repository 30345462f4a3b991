package dev.bluegreen.core.value;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Canonical value of a binary column ({@code bytea}): an immutable byte string with value
 * equality. Thread-safe.
 */
public final class Bytes {

    private final byte[] data;

    private Bytes(byte[] data) {
        this.data = data;
    }

    /** Copies the array. */
    public static Bytes of(byte[] data) {
        requireNonNull(data, "data is null");
        return new Bytes(data.clone());
    }

    /** A copy of the bytes. */
    public byte[] toArray() {
        return data.clone();
    }

    public int length() {
        return data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes b && Arrays.equals(data, b.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    /** PostgreSQL's hex form, {@code \x0a0b}. */
    @Override
    public String toString() {
        return "\\x" + HexFormat.of().formatHex(data);
    }
}
