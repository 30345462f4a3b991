package dev.bluegreen.core.dialect.postgres.copy;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.core.value.Bytes;
import dev.bluegreen.core.value.CanonicalValues;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Reads the tuples of a {@code COPY ... TO STDOUT (FORMAT binary)} stream into canonical values (see
 * {@link dev.bluegreen.core.value.CanonicalValues}), each equal to what
 * {@link dev.bluegreen.core.dialect.postgres.PostgresValueReader} yields for the same value over JDBC.
 *
 * <p>Format: PostgreSQL's binary COPY file format (https://www.postgresql.org/docs/15/sql-copy.html,
 * "Binary Format"): an 11-byte signature, a 32-bit flags field, a header-extension length and its bytes;
 * then per tuple a 16-bit field count ({@code -1} ends the data) and per field a 32-bit length
 * ({@code -1} = NULL) and that many bytes in the type's send format. Integers are big-endian; date is
 * days and timestamp/time are microseconds since 2000-01-01 (integer datetimes, the only kind since
 * PostgreSQL 10); {@code infinity} maps to {@code MAX}/{@code MIN} as PgJDBC does.
 *
 * <p>Column types it decodes natively: integers, floats, boolean, text/varchar/bpchar/name/citext, enum,
 * json, jsonb (version byte 1 + text), bytea, uuid, date, time, timestamp, timestamptz, and one-dimensional
 * arrays of those. NUMERIC and TSVECTOR (and arrays of them) must be selected {@code ::text} /
 * {@code ::text[]}: {@link #selectExpression} writes the select list that way.
 *
 * <p>Not thread-safe: one reader per stream. Buffers 64 KiB.
 */
public final class BinaryCopyReader {

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    private static final long PG_EPOCH_SECONDS = 946_684_800L; // 2000-01-01T00:00:00Z
    private static final int PG_EPOCH_DAYS = 10_957;

    private final InputStream in;
    private final ColumnType[] types;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private boolean headerRead;

    /**
     * @param in the COPY data, positioned at the signature
     * @param types the type of each selected column, in select order
     */
    public BinaryCopyReader(InputStream in, List<ColumnType> types) {
        this.in = in;
        this.types = types.toArray(ColumnType[]::new);
    }

    /**
     * The select-list expression for a column: the quoted name, cast to text where the binary form is not
     * decoded natively (numeric, tsvector and arrays of them).
     *
     * @param quotedName the column, quoted for SQL
     */
    public static String selectExpression(String quotedName, ColumnType type) {
        if (type.kind() == TypeKind.NUMERIC || type.kind() == TypeKind.TSVECTOR) {
            return quotedName + "::text";
        }
        if (type.kind() == TypeKind.ARRAY
                && (type.element().kind() == TypeKind.NUMERIC || type.element().kind() == TypeKind.TSVECTOR)) {
            return quotedName + "::text[]";
        }
        return quotedName;
    }

    /**
     * Reads the next tuple into {@code values} (one slot per column).
     *
     * @return false at the end of the data (the trailer), true when a tuple was read
     * @throws IOException when the stream fails or ends early, or the data is not binary COPY
     * @throws RowConversionException when a value has no canonical form (e.g. numeric NaN)
     */
    public boolean next(Object[] values) throws IOException {
        if (!headerRead) {
            readHeader();
        }
        short fields = readShort();
        if (fields == -1) {
            return false;
        }
        if (fields != types.length) {
            throw new IOException("binary COPY tuple has " + fields + " fields, expected " + types.length);
        }
        for (int i = 0; i < types.length; i++) {
            int len = readInt();
            values[i] = len < 0 ? null : value(types[i], len);
        }
        return true;
    }

    private void readHeader() throws IOException {
        for (byte b : SIGNATURE) {
            if ((byte) readByte() != b) {
                throw new IOException("not a binary COPY stream (signature mismatch)");
            }
        }
        readInt(); // flags: bit 16 = OIDs, never requested
        int ext = readInt();
        skip(ext);
        headerRead = true;
    }

    private Object value(ColumnType type, int len) throws IOException {
        switch (type.kind()) {
            case INT16:
                return (long) readShort();
            case INT32:
                return (long) readInt();
            case INT64:
                return readLong();
            case FLOAT32:
                return Float.intBitsToFloat(readInt());
            case FLOAT64:
                return Double.longBitsToDouble(readLong());
            case BOOLEAN:
                return readByte() != 0;
            case TEXT: case ENUM: case TSVECTOR:
                return readText(len);
            case JSON:
                return json(type, len);
            case NUMERIC: {
                String text = readText(len);
                try {
                    return new BigDecimal(text);
                } catch (NumberFormatException e) {
                    throw new RowConversionException("numeric value '" + text + "' (" + type.sqlName()
                            + ") cannot be replicated: NaN and infinity have no decimal form", e);
                }
            }
            case BYTES: {
                byte[] b = new byte[len];
                readFully(b);
                return Bytes.of(b);
            }
            case UUID:
                return new UUID(readLong(), readLong());
            case DATE: {
                int days = readInt();
                if (days == Integer.MAX_VALUE) {
                    return LocalDate.MAX;
                }
                if (days == Integer.MIN_VALUE) {
                    return LocalDate.MIN;
                }
                return LocalDate.ofEpochDay((long) days + PG_EPOCH_DAYS);
            }
            case TIME: {
                long micros = readLong();
                return micros >= 86_400_000_000L ? LocalTime.MAX : LocalTime.ofNanoOfDay(micros * 1000);
            }
            case TIMESTAMP: {
                long micros = readLong();
                if (micros == Long.MAX_VALUE) {
                    return LocalDateTime.MAX;
                }
                if (micros == Long.MIN_VALUE) {
                    return LocalDateTime.MIN;
                }
                return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L) + PG_EPOCH_SECONDS,
                        (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
            }
            case TIMESTAMPTZ: {
                long micros = readLong();
                if (micros == Long.MAX_VALUE) {
                    return CanonicalValues.TIMESTAMPTZ_INFINITY;
                }
                if (micros == Long.MIN_VALUE) {
                    return CanonicalValues.TIMESTAMPTZ_MINUS_INFINITY;
                }
                return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L) + PG_EPOCH_SECONDS,
                        Math.floorMod(micros, 1_000_000L) * 1000);
            }
            case ARRAY:
                return array(type, len);
            default:
                throw new RowConversionException("column type " + type.sqlName() + " has no canonical form in bluegreen");
        }
    }

    private Object json(ColumnType type, int len) throws IOException {
        if (type.sqlName().startsWith("jsonb")) {
            int version = readByte();
            if (version != 1) {
                throw new IOException("jsonb binary format version " + version + " is not known (expected 1)");
            }
            return readText(len - 1);
        }
        return readText(len);
    }

    private List<Object> array(ColumnType type, int len) throws IOException {
        int dims = readInt();
        readInt(); // has-nulls flag
        readInt(); // element type oid
        if (dims == 0) {
            return List.of();
        }
        if (dims != 1) {
            throw new RowConversionException("array value of " + type.sqlName() + " has " + dims
                    + " dimensions; bluegreen replicates one-dimensional arrays");
        }
        int count = readInt();
        readInt(); // lower bound
        List<Object> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int elen = readInt();
            out.add(elen < 0 ? null : value(type.element(), elen));
        }
        return Collections.unmodifiableList(out);
    }

    private String readText(int len) throws IOException {
        if (len <= limit - pos) {
            String s = new String(buf, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }
        byte[] b = new byte[len];
        readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private void readFully(byte[] b) throws IOException {
        int off = 0;
        while (off < b.length) {
            if (pos == limit) {
                fill();
            }
            int n = Math.min(b.length - off, limit - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            off += n;
        }
    }

    private void skip(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            readByte();
        }
    }

    private int readByte() throws IOException {
        if (pos == limit) {
            fill();
        }
        return buf[pos++] & 0xFF;
    }

    private short readShort() throws IOException {
        if (limit - pos >= 2) {
            short v = (short) (((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF));
            pos += 2;
            return v;
        }
        return (short) ((readByte() << 8) | readByte());
    }

    private int readInt() throws IOException {
        if (limit - pos >= 4) {
            int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8)
                    | (buf[pos + 3] & 0xFF);
            pos += 4;
            return v;
        }
        return (readByte() << 24) | (readByte() << 16) | (readByte() << 8) | readByte();
    }

    private long readLong() throws IOException {
        return ((long) readInt() << 32) | (readInt() & 0xFFFFFFFFL);
    }

    private void fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            throw new EOFException("binary COPY stream ended inside a tuple");
        }
        pos = 0;
        limit = n;
    }
}
