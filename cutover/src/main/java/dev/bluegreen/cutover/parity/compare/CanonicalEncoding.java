package dev.bluegreen.cutover.parity.compare;

import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.value.Bytes;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.List;
import java.util.UUID;

/**
 * An injective byte encoding of canonical values (see {@link dev.bluegreen.core.value.CanonicalValues}),
 * fed into a SHA-256 digest: two rows get the same bytes exactly when {@link Row#equals} holds. Each value
 * is a type tag followed by a fixed-width or length-prefixed body, so NULL, {@code ''} and {@code 'NULL'}
 * differ, as do {@code 1.50} and {@code 1.5} (scale is encoded) and {@code 0.0} and {@code -0.0}.
 * Stateless, thread-safe; digests are not (one per thread).
 */
public final class CanonicalEncoding {

    private CanonicalEncoding() {
    }

    /** A new SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Feeds a row's values (not its column names) into the digest. */
    public static void update(MessageDigest md, Row row) {
        md.update(ByteBuffer.allocate(4).putInt(row.size()).array());
        for (Object v : row.values()) {
            value(md, v);
        }
    }

    /** The first 64 bits of the SHA-256 of a key's encoding: a compact fingerprint for key sets. */
    public static long fingerprint(Row key) {
        MessageDigest md = sha256();
        update(md, key);
        return ByteBuffer.wrap(md.digest()).getLong();
    }

    private static void value(MessageDigest md, Object v) {
        if (v == null) {
            md.update((byte) 0);
        } else if (v instanceof Long l) {
            tagged(md, 1, ByteBuffer.allocate(8).putLong(l));
        } else if (v instanceof BigDecimal d) {
            byte[] unscaled = d.unscaledValue().toByteArray();
            tagged(md, 2, ByteBuffer.allocate(8 + unscaled.length).putInt(d.scale()).putInt(unscaled.length).put(unscaled));
        } else if (v instanceof Float f) {
            tagged(md, 3, ByteBuffer.allocate(4).putInt(Float.floatToIntBits(f)));
        } else if (v instanceof Double d) {
            tagged(md, 4, ByteBuffer.allocate(8).putLong(Double.doubleToLongBits(d)));
        } else if (v instanceof Boolean b) {
            tagged(md, 5, ByteBuffer.allocate(1).put((byte) (b ? 1 : 0)));
        } else if (v instanceof String s) {
            lengthPrefixed(md, 6, s.getBytes(StandardCharsets.UTF_8));
        } else if (v instanceof LocalDate d) {
            tagged(md, 7, ByteBuffer.allocate(8).putLong(d.toEpochDay()));
        } else if (v instanceof LocalTime t) {
            tagged(md, 8, ByteBuffer.allocate(8).putLong(t.toNanoOfDay()));
        } else if (v instanceof LocalDateTime t) {
            tagged(md, 9, ByteBuffer.allocate(16).putLong(t.toLocalDate().toEpochDay()).putLong(t.toLocalTime().toNanoOfDay()));
        } else if (v instanceof Instant i) {
            tagged(md, 10, ByteBuffer.allocate(12).putLong(i.getEpochSecond()).putInt(i.getNano()));
        } else if (v instanceof Bytes b) {
            lengthPrefixed(md, 11, b.toArray());
        } else if (v instanceof UUID u) {
            tagged(md, 12, ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()));
        } else if (v instanceof List<?> list) {
            tagged(md, 13, ByteBuffer.allocate(4).putInt(list.size()));
            list.forEach(e -> value(md, e));
        } else {
            // not a canonical class (a marker such as Unavailable): class and text keep it distinct
            lengthPrefixed(md, 14, (v.getClass().getName() + ":" + v).getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void tagged(MessageDigest md, int tag, ByteBuffer body) {
        md.update((byte) tag);
        md.update(body.array(), 0, body.position());
    }

    private static void lengthPrefixed(MessageDigest md, int tag, byte[] body) {
        md.update((byte) tag);
        md.update(ByteBuffer.allocate(4).putInt(body.length).array());
        md.update(body);
    }
}
