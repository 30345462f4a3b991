package dev.bluegreen.core.dialect.postgres.copy;

import dev.bluegreen.core.value.Bytes;
import dev.bluegreen.core.value.CanonicalValues;
import dev.bluegreen.core.value.Unavailable;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.List;
import java.util.UUID;

/**
 * Encodes canonical values as the data of a {@code COPY ... FROM STDIN} in PostgreSQL's text format
 * (https://www.postgresql.org/docs/15/sql-copy.html, "Text Format"): columns separated by a tab, rows
 * ended by a newline, NULL as {@code \N}, and backslash, newline, carriage return and tab escaped. Each
 * value is written in a form the column type's input function reads back to the same value: integers
 * and decimals in plain notation, floats as Java's shortest round-trip form ({@code NaN},
 * {@code Infinity} are PostgreSQL's spellings too), booleans {@code t}/{@code f}, dates and times in ISO
 * 8601 ({@code infinity} for {@code MAX}/{@code MIN}; years before 1 as {@code ... BC}), instants in UTC
 * with {@code Z}, bytea as {@code \x} hex, arrays as array literals with every element quoted.
 *
 * <p>Output goes to a {@link Sink} in blocks of up to 64 KiB. Not thread-safe; one writer per COPY.
 */
public final class TextCopyWriter {

    /** Where encoded bytes go, e.g. PgJDBC's {@code CopyIn.writeToCopy}. */
    @FunctionalInterface
    public interface Sink {
        /** Takes {@code len} bytes of {@code buf} from {@code off}. */
        void write(byte[] buf, int off, int len) throws IOException;
    }

    /** PgJDBC's (and so the canonical) instants for timestamptz {@code infinity} / {@code -infinity}. */

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Sink sink;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private final StringBuilder scratch = new StringBuilder(64);

    /** A writer into the sink. */
    public TextCopyWriter(Sink sink) {
        this.sink = sink;
    }

    /**
     * Writes one row.
     *
     * @param values canonical values in the COPY's column order; {@code null} for SQL NULL
     * @throws IOException when the sink fails
     * @throws IllegalArgumentException for {@link Unavailable#VALUE} or a value that is not canonical
     */
    public void writeRow(List<Object> values) throws IOException {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                put((byte) '\t');
            }
            writeValue(values.get(i));
        }
        put((byte) '\n');
    }

    /** Hands the buffered bytes to the sink. */
    public void flush() throws IOException {
        if (pos > 0) {
            sink.write(buf, 0, pos);
            pos = 0;
        }
    }

    private void writeValue(Object v) throws IOException {
        if (v == null) {
            put((byte) '\\');
            put((byte) 'N');
        } else if (v instanceof Long l) {
            putAscii(Long.toString(l));
        } else if (v instanceof String s) {
            putEscaped(s);
        } else {
            scratch.setLength(0);
            literal(v, scratch, false);
            putEscaped(scratch);
        }
    }

    /** Appends the value's input-function text; {@code quoted} wraps it for an array element. */
    private static void literal(Object v, StringBuilder out, boolean quoted) {
        if (v instanceof List<?> list) {
            out.append('{');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                Object e = list.get(i);
                if (e == null) {
                    out.append("NULL");
                } else {
                    literal(e, out, true);
                }
            }
            out.append('}');
            return;
        }
        String text = scalar(v);
        if (!quoted) {
            out.append(text);
            return;
        }
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        out.append('"');
    }

    private static String scalar(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Long || v instanceof Float || v instanceof Double) {
            return v.toString();
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof Boolean b) {
            return b ? "t" : "f";
        }
        if (v instanceof Bytes b) {
            byte[] a = b.toArray();
            char[] out = new char[2 + a.length * 2];
            out[0] = '\\';
            out[1] = 'x';
            for (int i = 0; i < a.length; i++) {
                out[2 + 2 * i] = HEX[(a[i] >> 4) & 0xF];
                out[3 + 2 * i] = HEX[a[i] & 0xF];
            }
            return new String(out);
        }
        if (v instanceof UUID u) {
            return u.toString();
        }
        if (v instanceof Instant i) {
            if (i.equals(CanonicalValues.TIMESTAMPTZ_INFINITY)) {
                return "infinity";
            }
            if (i.equals(CanonicalValues.TIMESTAMPTZ_MINUS_INFINITY)) {
                return "-infinity";
            }
            return i.toString();
        }
        if (v instanceof LocalDateTime t) {
            if (t.equals(LocalDateTime.MAX)) {
                return "infinity";
            }
            if (t.equals(LocalDateTime.MIN)) {
                return "-infinity";
            }
            return t.getYear() > 0 ? t.toString() : era(t.toLocalDate()) + " " + t.toLocalTime() + " BC";
        }
        if (v instanceof LocalDate d) {
            if (d.equals(LocalDate.MAX)) {
                return "infinity";
            }
            if (d.equals(LocalDate.MIN)) {
                return "-infinity";
            }
            return d.getYear() > 0 ? d.toString() : era(d) + " BC";
        }
        if (v instanceof LocalTime t) {
            return t.equals(LocalTime.MAX) ? "24:00:00" : t.toString();
        }
        if (v == Unavailable.VALUE) {
            throw new IllegalArgumentException("an unchanged-TOAST placeholder cannot be copied; the row must be"
                    + " read in full");
        }
        throw new IllegalArgumentException("not a canonical value: " + v.getClass().getName());
    }

    /** ISO year 0 is 1 BC, -1 is 2 BC: PostgreSQL writes the positive year with a BC suffix. */
    private static String era(LocalDate d) {
        return String.format("%04d-%02d-%02d", 1 - d.getYear(), d.getMonthValue(), d.getDayOfMonth());
    }

    private void putAscii(String s) throws IOException {
        if (buf.length - pos < s.length()) {
            flush();
        }
        for (int i = 0; i < s.length(); i++) {
            buf[pos++] = (byte) s.charAt(i);
        }
    }

    private void putEscaped(CharSequence s) throws IOException {
        int n = s.length();
        // at most 3 bytes per char (UTF-8 of the BMP, 4 for a surrogate pair of 2 chars; escapes take 2)
        if (3L * n > buf.length - pos) {
            flush();
            if (3L * n > buf.length) {
                putEscapedSlow(s);
                return;
            }
        }
        byte[] b = buf;
        int p = pos;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '\\') {
                b[p++] = (byte) c;
            } else if (c < 0x80) {
                switch (c) {
                    case '\\': b[p++] = '\\'; b[p++] = '\\'; break;
                    case '\n': b[p++] = '\\'; b[p++] = 'n'; break;
                    case '\r': b[p++] = '\\'; b[p++] = 'r'; break;
                    case '\t': b[p++] = '\\'; b[p++] = 't'; break;
                    default: b[p++] = (byte) c;
                }
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[p++] = (byte) (0xF0 | (cp >> 18));
                b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                b[p++] = (byte) (0xE0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        pos = p;
    }

    /** The same, byte by byte through {@link #put}, for values longer than a third of the buffer. */
    private void putEscapedSlow(CharSequence s) throws IOException {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                switch (c) {
                    case '\\': put((byte) '\\'); put((byte) '\\'); break;
                    case '\n': put((byte) '\\'); put((byte) 'n'); break;
                    case '\r': put((byte) '\\'); put((byte) 'r'); break;
                    case '\t': put((byte) '\\'); put((byte) 't'); break;
                    default: put((byte) c);
                }
            } else if (c < 0x800) {
                put((byte) (0xC0 | (c >> 6)));
                put((byte) (0x80 | (c & 0x3F)));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                put((byte) (0xF0 | (cp >> 18)));
                put((byte) (0x80 | ((cp >> 12) & 0x3F)));
                put((byte) (0x80 | ((cp >> 6) & 0x3F)));
                put((byte) (0x80 | (cp & 0x3F)));
            } else {
                put((byte) (0xE0 | (c >> 12)));
                put((byte) (0x80 | ((c >> 6) & 0x3F)));
                put((byte) (0x80 | (c & 0x3F)));
            }
        }
    }

    private void put(byte b) throws IOException {
        if (pos == buf.length) {
            flush();
        }
        buf[pos++] = b;
    }
}
