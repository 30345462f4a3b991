package dev.bluegreen.core.dialect.postgres.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.core.value.Bytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Binary COPY decoding from hand-built streams in PostgreSQL's documented format (the round trip against a
 * real server, type by type and against JDBC's reading, is BackfillIT's).
 */
class BinaryCopyReaderTest {

    private static final ColumnType INT4 = ColumnType.of(TypeKind.INT32, "integer");
    private static final ColumnType INT8 = ColumnType.of(TypeKind.INT64, "bigint");
    private static final ColumnType TEXT = ColumnType.of(TypeKind.TEXT, "text");
    private static final ColumnType BOOL = ColumnType.of(TypeKind.BOOLEAN, "boolean");
    private static final ColumnType DATE = ColumnType.of(TypeKind.DATE, "date");
    private static final ColumnType TS = ColumnType.of(TypeKind.TIMESTAMP, "timestamp without time zone");
    private static final ColumnType TSTZ = ColumnType.of(TypeKind.TIMESTAMPTZ, "timestamp with time zone");
    private static final ColumnType TIME = ColumnType.of(TypeKind.TIME, "time without time zone");
    private static final ColumnType UUID_T = ColumnType.of(TypeKind.UUID, "uuid");
    private static final ColumnType BYTEA = ColumnType.of(TypeKind.BYTES, "bytea");
    private static final ColumnType JSONB = ColumnType.of(TypeKind.JSON, "jsonb");
    private static final ColumnType INT4_ARRAY = new ColumnType(TypeKind.ARRAY, "integer[]", -1, -1, -1, INT4);

    /** Writes the stream: header, tuples of (length-prefixed) fields, trailer. */
    private static final class Stream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);

        Stream() throws IOException {
            out.write(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0});
            out.writeInt(0);
            out.writeInt(4);
            out.writeInt(42); // a header extension the reader must skip
        }

        Stream tuple(byte[]... fields) throws IOException {
            out.writeShort(fields.length);
            for (byte[] f : fields) {
                if (f == null) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(f.length);
                    out.write(f);
                }
            }
            return this;
        }

        byte[] end() throws IOException {
            out.writeShort(-1);
            return bytes.toByteArray();
        }
    }

    private static byte[] ints(int... v) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        for (int i : v) {
            d.writeInt(i);
        }
        return b.toByteArray();
    }

    private static byte[] longs(long... v) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        for (long l : v) {
            d.writeLong(l);
        }
        return b.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    @Test
    void decodesEveryNativeKind() throws Exception {
        long micros = 1_000_000L * 86_400 * 366 + 123_456; // 2001-01-01T00:00:00.123456 from 2000-01-01
        byte[] data = new Stream().tuple(ints(7), longs(-5), "ü\ttext".getBytes(StandardCharsets.UTF_8), new byte[] {1},
                ints(-1), longs(micros), longs(0), longs(3_600_000_000L),
                longs(0x0123456789abcdefL, 0x0fedcba987654321L), new byte[] {0, (byte) 0xff},
                concat(new byte[] {1}, "{\"a\": 1}".getBytes(StandardCharsets.UTF_8)),
                concat(ints(1, 1, 23, 3, 1), ints(4), ints(1), ints(-1), ints(4), ints(3)), null)
                .end();
        BinaryCopyReader r = new BinaryCopyReader(new ByteArrayInputStream(data),
                List.of(INT4, INT8, TEXT, BOOL, DATE, TS, TSTZ, TIME, UUID_T, BYTEA, JSONB, INT4_ARRAY, TEXT));
        Object[] v = new Object[13];
        assertThat(r.next(v)).isTrue();
        assertThat(Arrays.asList(v)).containsExactly(7L, -5L, "ü\ttext", true, LocalDate.of(1999, 12, 31),
                LocalDateTime.of(2001, 1, 1, 0, 0, 0, 123_456_000), Instant.parse("2000-01-01T00:00:00Z"),
                LocalTime.of(1, 0), new UUID(0x0123456789abcdefL, 0x0fedcba987654321L),
                Bytes.of(new byte[] {0, (byte) 0xff}), "{\"a\": 1}", Arrays.asList(1L, null, 3L), null);
        assertThat(r.next(v)).as("the trailer ends the data").isFalse();
    }

    @Test
    void infinityMapsToTheExtremesAsPgJdbcDoes() throws Exception {
        byte[] data = new Stream().tuple(ints(Integer.MAX_VALUE), longs(Long.MIN_VALUE), longs(86_400_000_000L)).end();
        BinaryCopyReader r = new BinaryCopyReader(new ByteArrayInputStream(data), List.of(DATE, TS, TIME));
        Object[] v = new Object[3];
        assertThat(r.next(v)).isTrue();
        assertThat(Arrays.asList(v)).containsExactly(LocalDate.MAX, LocalDateTime.MIN, LocalTime.MAX);
    }

    @Test
    void textLongerThanTheBufferIsReadWhole() throws Exception {
        String big = "x".repeat(200_000);
        byte[] data = new Stream().tuple(big.getBytes(StandardCharsets.UTF_8)).tuple("y".getBytes(StandardCharsets.UTF_8))
                .end();
        BinaryCopyReader r = new BinaryCopyReader(new ByteArrayInputStream(data), List.of(TEXT));
        Object[] v = new Object[1];
        assertThat(r.next(v)).isTrue();
        assertThat(v[0]).isEqualTo(big);
        assertThat(r.next(v)).isTrue();
        assertThat(v[0]).isEqualTo("y");
    }

    @Test
    void badStreamsAreRefused() throws Exception {
        assertThatThrownBy(() -> new BinaryCopyReader(new ByteArrayInputStream("1\tx\n".getBytes(StandardCharsets.UTF_8)),
                List.of(INT4)).next(new Object[1])).isInstanceOf(IOException.class).hasMessageContaining("not a binary COPY");
        byte[] truncated = Arrays.copyOf(new Stream().tuple(ints(1)).end(), 25);
        assertThatThrownBy(() -> new BinaryCopyReader(new ByteArrayInputStream(truncated), List.of(INT4))
                .next(new Object[1])).isInstanceOf(EOFException.class);
        byte[] twoFields = new Stream().tuple(ints(1), ints(2)).end();
        assertThatThrownBy(() -> new BinaryCopyReader(new ByteArrayInputStream(twoFields), List.of(INT4))
                .next(new Object[1])).isInstanceOf(IOException.class).hasMessageContaining("2 fields, expected 1");
    }
}
