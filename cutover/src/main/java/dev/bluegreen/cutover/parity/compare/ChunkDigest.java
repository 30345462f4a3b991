package dev.bluegreen.cutover.parity.compare;

import dev.bluegreen.core.event.Row;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The SHA-256 of a chunk of rows in green's shape, over the rows in the order of a key list (an absent
 * row contributes a marker), so the blue side (rows mapped from a blue chunk) and the green side (rows
 * fetched by the same keys) hash equal exactly when every row is equal. Stateless.
 */
public final class ChunkDigest {

    private static final byte ABSENT = (byte) 0xFF;
    private static final byte PRESENT = (byte) 0x01;

    private ChunkDigest() {
    }

    /**
     * Hashes the rows of {@code keys} in that order, looking each up in {@code rows}.
     *
     * @return lower-case hex SHA-256
     */
    public static String of(Collection<Row> keys, Map<Row, Row> rows) {
        MessageDigest md = CanonicalEncoding.sha256();
        for (Row k : keys) {
            Row r = rows.get(k);
            if (r == null) {
                md.update(ABSENT);
            } else {
                md.update(PRESENT);
                CanonicalEncoding.update(md, r);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Hashes rows in the given order. @return lower-case hex SHA-256 */
    public static String of(List<Row> rows) {
        MessageDigest md = CanonicalEncoding.sha256();
        rows.forEach(r -> {
            md.update(PRESENT);
            CanonicalEncoding.update(md, r);
        });
        return HexFormat.of().formatHex(md.digest());
    }
}
