package dev.bluegreen.bench;

import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.transform.TargetShape;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.copy.CopyIn;

/**
 * Streams canonical rows into a running {@code COPY ... FROM STDIN} in PostgreSQL's text or binary
 * format, through a 64 KiB buffer (no whole-batch string is built).
 *
 * <p>Covers only the value kinds this benchmark uses: {@code INT16/INT32/INT64} columns holding
 * {@link Long} and {@code TEXT} columns holding {@link String}; anything else throws. Text format
 * escapes backslash, newline, carriage return and tab and writes NULL as {@code \N}; binary format
 * writes the signature header, one tuple per row (big-endian lengths and integers of the column's
 * declared width, UTF-8 text) and the trailer. Not thread-safe; one per COPY.
 */
final class CopyEncoder {

    /** COPY's data format. */
    enum Format {
        TEXT(""), BINARY(" (FORMAT binary)");

        /** The option clause to append to {@code COPY table (columns) FROM STDIN}. */
        final String option;

        Format(String option) {
            this.option = option;
        }
    }

    private static final byte[] BINARY_SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    private static final byte[] NULL_TEXT = {'\\', 'N'};

    private final CopyIn in;
    private final Format format;
    private final List<String> columns;
    private final TypeKind[] kinds;
    private final byte[] buf = new byte[1 << 16];
    private int pos;

    private CopyEncoder(CopyIn in, Format format, TargetShape shape) {
        this.in = in;
        this.format = format;
        this.columns = shape.columns();
        this.kinds = columns.stream().map(c -> shape.columnTypes().get(c).kind()).toArray(TypeKind[]::new);
    }

    /** The COPY statement for these columns of a table, in this format. */
    static String copySql(String table, TargetShape shape, Format format) {
        return "COPY " + table + " (" + String.join(", ", shape.columns().stream().map(CopyEncoder::quote).toList())
                + ") FROM STDIN" + format.option;
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /**
     * Writes the rows and ends the COPY; cancels it if anything fails.
     *
     * @param in a COPY started with {@link #copySql} for the same shape and format
     * @return rows the server says it copied
     */
    static long copy(CopyIn in, Format format, TargetShape shape, List<Row> rows) throws SQLException {
        CopyEncoder e = new CopyEncoder(in, format, shape);
        try {
            if (format == Format.BINARY) {
                e.put(BINARY_SIGNATURE);
                e.putInt(0); // flags
                e.putInt(0); // header extension length
            }
            for (Row r : rows) {
                if (format == Format.BINARY) {
                    e.binaryRow(r);
                } else {
                    e.textRow(r);
                }
            }
            if (format == Format.BINARY) {
                e.putShort(-1);
            }
            e.flush();
            return in.endCopy();
        } catch (SQLException | RuntimeException ex) {
            if (in.isActive()) {
                in.cancelCopy();
            }
            throw ex;
        }
    }

    private void textRow(Row r) throws SQLException {
        for (int i = 0; i < kinds.length; i++) {
            if (i > 0) {
                put((byte) '\t');
            }
            Object v = r.get(columns.get(i));
            if (v == null) {
                put(NULL_TEXT);
            } else if (v instanceof Long l && kinds[i].isInteger()) {
                putAscii(Long.toString(l));
            } else if (v instanceof String s && kinds[i] == TypeKind.TEXT) {
                for (byte b : s.getBytes(StandardCharsets.UTF_8)) { // UTF-8 multi-byte units are >= 0x80
                    switch (b) {
                        case '\\' -> put2('\\', '\\');
                        case '\n' -> put2('\\', 'n');
                        case '\r' -> put2('\\', 'r');
                        case '\t' -> put2('\\', 't');
                        default -> put(b);
                    }
                }
            } else {
                throw unsupported(i, v);
            }
        }
        put((byte) '\n');
    }

    private void binaryRow(Row r) throws SQLException {
        putShort(kinds.length);
        for (int i = 0; i < kinds.length; i++) {
            Object v = r.get(columns.get(i));
            if (v == null) {
                putInt(-1);
            } else if (v instanceof Long l && kinds[i] == TypeKind.INT64) {
                putInt(8);
                putLong(l);
            } else if (v instanceof Long l && kinds[i] == TypeKind.INT32) {
                putInt(4);
                putInt(Math.toIntExact(l));
            } else if (v instanceof Long l && kinds[i] == TypeKind.INT16) {
                putInt(2);
                putShort(checkedShort(l));
            } else if (v instanceof String s && kinds[i] == TypeKind.TEXT) {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                putInt(b.length);
                put(b);
            } else {
                throw unsupported(i, v);
            }
        }
    }

    private IllegalArgumentException unsupported(int i, Object v) {
        return new IllegalArgumentException("the bench's COPY encoder does not write " + v.getClass().getSimpleName()
                + " into " + kinds[i] + " column " + columns.get(i));
    }

    private static int checkedShort(long l) {
        if (l < Short.MIN_VALUE || l > Short.MAX_VALUE) {
            throw new ArithmeticException("smallint overflow: " + l);
        }
        return (int) l;
    }

    private void put(byte b) throws SQLException {
        if (pos == buf.length) {
            flush();
        }
        buf[pos++] = b;
    }

    private void put2(char a, char b) throws SQLException {
        put((byte) a);
        put((byte) b);
    }

    private void put(byte[] bytes) throws SQLException {
        if (bytes.length > buf.length - pos) {
            flush();
            if (bytes.length > buf.length) {
                in.writeToCopy(bytes, 0, bytes.length);
                return;
            }
        }
        System.arraycopy(bytes, 0, buf, pos, bytes.length);
        pos += bytes.length;
    }

    private void putAscii(String s) throws SQLException {
        if (s.length() > buf.length - pos) {
            flush();
        }
        for (int i = 0; i < s.length(); i++) {
            buf[pos++] = (byte) s.charAt(i);
        }
    }

    private void putShort(int v) throws SQLException {
        put((byte) (v >>> 8));
        put((byte) v);
    }

    private void putInt(int v) throws SQLException {
        if (buf.length - pos < 4) {
            flush();
        }
        buf[pos++] = (byte) (v >>> 24);
        buf[pos++] = (byte) (v >>> 16);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    private void putLong(long v) throws SQLException {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }

    private void flush() throws SQLException {
        if (pos > 0) {
            in.writeToCopy(buf, 0, pos);
            pos = 0;
        }
    }
}
