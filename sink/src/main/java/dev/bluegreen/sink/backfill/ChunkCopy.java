package dev.bluegreen.sink.backfill;

import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.dialect.mariadb.MariaDbValueReader;
import dev.bluegreen.core.dialect.postgres.PostgresDialect;
import dev.bluegreen.core.dialect.postgres.copy.BinaryCopyReader;
import dev.bluegreen.core.dialect.postgres.copy.TextCopyWriter;
import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.value.CanonicalValues;
import dev.bluegreen.sink.deadletter.DeadLetter;
import dev.bluegreen.transform.MappedRow;
import dev.bluegreen.transform.TargetShape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.PGCopyInputStream;

/**
 * Copies one chunk from blue into green, inside the callers' transactions (blue: the worker's
 * repeatable-read snapshot; green: the chunk's own transaction, which the caller commits with the
 * chunk's done mark).
 *
 * <p>Row path: {@code COPY (SELECT ... WHERE <range> ORDER BY <key>) TO STDOUT (FORMAT binary)} on blue,
 * each tuple decoded by {@link BinaryCopyReader}, mapped by the table's {@link
 * dev.bluegreen.transform.RowTransform} (the sink's and the parity check's), and encoded by {@link
 * TextCopyWriter} into {@code COPY <target> (...) FROM STDIN} on green: the first target streams while
 * blue is read, further targets (vertical splits) are buffered and copied after it. A row the transform
 * rejects becomes a dead letter; a row its filter rejects is not copied.
 *
 * <p>On a MariaDB blue the row path reads {@code SELECT ... WHERE <range> ORDER BY <key>}, streamed
 * ({@value #FETCH_ROWS} rows per fetch), each value read by {@link MariaDbValueReader}; a value with no
 * canonical form (a zero date) fails the chunk, naming it.
 *
 * <p>Pipe path ({@link BackfillTable#pipeable()}): blue's binary COPY bytes go unchanged into green's
 * {@code COPY ... FROM STDIN (FORMAT binary)}; nothing is decoded, and progress and throttle move once
 * per chunk.
 *
 * <p>Not thread-safe; one per worker.
 */
final class ChunkCopy {

    /** What a chunk copy did. */
    record Result(long rowsRead, long rowsWritten, List<DeadLetter> deadLetters) {
    }

    /** Called every {@link #PROGRESS_ROWS} rows read, for throttling and progress. */
    interface RowsListener {
        void rowsRead(int rows) throws InterruptedException;
    }

    static final int PROGRESS_ROWS = 1000;

    /** Green refused or lost the COPY into it (as opposed to blue's COPY out failing). */
    static final class GreenWriteException extends IOException {
        GreenWriteException(String message, SQLException cause) {
            super(message + ": " + cause.getMessage(), cause);
        }
    }

    private final RowsListener listener;

    ChunkCopy(RowsListener listener) {
        this.listener = listener;
    }

    Result copy(Connection blue, Connection green, BackfillTable table, Chunk chunk, boolean pipe)
            throws SQLException, IOException, InterruptedException {
        return pipe ? pipe(blue, green, table, chunk) : rows(blue, green, table, chunk);
    }

    private Result pipe(Connection blue, Connection green, BackfillTable table, Chunk chunk)
            throws SQLException, IOException, InterruptedException {
        TargetShape target = table.transform().targets().get(0);
        StringJoiner select = new StringJoiner(", ");
        table.pipeColumns().forEach(c -> select.add(PostgresDialect.INSTANCE.quote(c)));
        String out = copyOutSql(table, chunk, select.toString());
        CopyIn in = copyManager(green).copyIn(copyInSql(target) + " (FORMAT binary)");
        try (InputStream data = new PGCopyInputStream(blue.unwrap(PGConnection.class), out)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = data.read(buf)) > 0) {
                writeToGreen(in, buf, n);
            }
            long rows = endGreen(in);
            // the pipe knows its row count only at the end: progress and throttle move per chunk
            listener.rowsRead((int) Math.min(Integer.MAX_VALUE, rows));
            return new Result(rows, rows, List.of());
        } catch (SQLException | IOException | RuntimeException | InterruptedException e) {
            cancelQuietly(in);
            throw e;
        }
    }

    /** Blue's rows of one chunk, in key order; fills {@code values} (blue's columns in order) per row. */
    @FunctionalInterface
    private interface BlueRows {
        boolean next(Object[] values) throws IOException, SQLException;
    }

    private Result rows(Connection blue, Connection green, BackfillTable table, Chunk chunk)
            throws SQLException, IOException, InterruptedException {
        List<String> columns = table.blueSchema().columnNames();
        List<ColumnType> types = new ArrayList<>(columns.size());
        StringJoiner select = new StringJoiner(", ");
        for (String c : columns) {
            ColumnType t = table.blueType(c);
            types.add(t);
            select.add(table.blueEngine() == Engine.POSTGRESQL
                    ? BinaryCopyReader.selectExpression(PostgresDialect.INSTANCE.quote(c), t)
                    : MariaDbValueReader.selectExpression(c, t));
        }
        if (table.blueEngine() == Engine.MARIADB) {
            String sql = "SELECT " + select + " FROM " + table.blueSql().table(table.id()) + " WHERE "
                    + table.rangePredicate(chunk) + " ORDER BY " + table.keyOrder();
            try (Statement st = blue.createStatement()) {
                // a positive fetch size makes MariaDB Connector/J stream the result instead of holding all of it
                st.setFetchSize(FETCH_ROWS);
                try (ResultSet rs = st.executeQuery(sql)) {
                    return mapInto(green, table, chunk, columns, values -> {
                        if (!rs.next()) {
                            return false;
                        }
                        for (int i = 0; i < values.length; i++) {
                            values[i] = MariaDbValueReader.read(rs, i + 1, types.get(i));
                        }
                        return true;
                    }, () -> { });
                }
            }
        }
        String out = copyOutSql(table, chunk, select.toString());
        try (InputStream data = new PGCopyInputStream(blue.unwrap(PGConnection.class), out)) {
            BinaryCopyReader reader = new BinaryCopyReader(data, types);
            return mapInto(green, table, chunk, columns, reader::next, () -> drain(data));
        }
    }

    /** Rows fetched per round trip from a MariaDB blue (rows). */
    static final int FETCH_ROWS = 5_000;

    @FunctionalInterface
    private interface AfterRows {
        void run() throws IOException;
    }

    /**
     * Maps blue's rows and copies them into green: the first target streams while blue is read, further
     * targets are buffered and copied after it.
     */
    private Result mapInto(Connection green, BackfillTable table, Chunk chunk, List<String> columns, BlueRows source,
                           AfterRows afterRows) throws SQLException, IOException, InterruptedException {
        List<TargetShape> targets = table.transform().targets();
        CopyManager greenCopy = copyManager(green);
        CopyIn first = greenCopy.copyIn(copyInSql(targets.get(0)));
        TextCopyWriter firstWriter = new TextCopyWriter((b, off, len) -> {
            try {
                first.writeToCopy(b, off, len);
            } catch (SQLException e) {
                throw new GreenWriteException("green refused the COPY into " + targets.get(0).table(), e);
            }
        });
        List<ByteArrayOutputStream> buffers = new ArrayList<>();
        List<TextCopyWriter> writers = new ArrayList<>();
        writers.add(firstWriter);
        for (int i = 1; i < targets.size(); i++) {
            ByteArrayOutputStream b = new ByteArrayOutputStream(1 << 16);
            buffers.add(b);
            writers.add(new TextCopyWriter(b::write));
        }
        List<DeadLetter> dead = new ArrayList<>();
        long read = 0;
        long written = 0;
        try {
            Object[] values = new Object[columns.size()];
            Row.Layout layout = Row.Layout.of(columns);
            int sinceReport = 0;
            while (source.next(values)) {
                read++;
                Row row = Row.of(layout, Arrays.asList(values));
                try {
                    List<MappedRow> mapped = table.transform().map(row);
                    for (int i = 0; i < mapped.size(); i++) {
                        writers.get(i).writeRow(mapped.get(i).row().values());
                    }
                    written += mapped.isEmpty() ? 0 : 1;
                } catch (RowConversionException e) {
                    dead.add(deadLetter(table, chunk, read, row, e));
                }
                if (++sinceReport == PROGRESS_ROWS) {
                    listener.rowsRead(sinceReport);
                    sinceReport = 0;
                }
            }
            listener.rowsRead(sinceReport);
            afterRows.run();
            firstWriter.flush();
            endGreen(first);
        } catch (SQLException | IOException | RuntimeException | InterruptedException e) {
            cancelQuietly(first);
            throw e;
        }
        for (int i = 1; i < targets.size(); i++) {
            writers.get(i).flush();
            byte[] bytes = buffers.get(i - 1).toByteArray();
            CopyIn more = greenCopy.copyIn(copyInSql(targets.get(i)));
            try {
                writeToGreen(more, bytes, bytes.length);
                endGreen(more);
            } catch (IOException | RuntimeException e) {
                cancelQuietly(more);
                throw e;
            }
        }
        return new Result(read, written, dead);
    }

    /**
     * Reads the stream to its end after the trailer: closing a COPY OUT that the driver still thinks active
     * cancels it, and that cancel request can reach the connection's next statement.
     */
    private static void drain(InputStream data) throws IOException {
        byte[] rest = new byte[512];
        while (data.read(rest) >= 0) {
            // nothing: past the trailer the server only ends the COPY
        }
    }

    private static DeadLetter deadLetter(BackfillTable table, Chunk chunk, long rowInChunk, Row row,
                                         RowConversionException e) {
        StringJoiner key = new StringJoiner(", ", "{", "}");
        for (String k : table.keyColumns()) {
            key.add(k + "=" + CanonicalValues.format(row.get(k)));
        }
        StringJoiner raw = new StringJoiner(", ", "{", "}");
        for (String c : row.columns()) {
            raw.add(c + "=" + CanonicalValues.format(row.get(c)));
        }
        return new DeadLetter(table.id().toString(), "backfill", chunk.no(), rowInChunk, key.toString(),
                raw.toString(), e.getMessage());
    }

    private static void writeToGreen(CopyIn in, byte[] buf, int len) throws GreenWriteException {
        try {
            in.writeToCopy(buf, 0, len);
        } catch (SQLException e) {
            throw new GreenWriteException("green refused COPY data", e);
        }
    }

    private static long endGreen(CopyIn in) throws GreenWriteException {
        try {
            return in.endCopy();
        } catch (SQLException e) {
            throw new GreenWriteException("green rejected the COPY", e);
        }
    }

    /** Blue's side: the chunk's rows in key order, as binary COPY. */
    private static String copyOutSql(BackfillTable table, Chunk chunk, String selectList) {
        return "COPY (SELECT " + selectList + " FROM " + PostgresDialect.INSTANCE.table(table.id()) + " WHERE "
                + table.rangePredicate(chunk) + " ORDER BY " + table.keyOrder() + ") TO STDOUT (FORMAT binary)";
    }

    private static String copyInSql(TargetShape target) {
        StringJoiner cols = new StringJoiner(", ", " (", ")");
        target.columns().forEach(c -> cols.add(PostgresDialect.INSTANCE.quote(c)));
        return "COPY " + PostgresDialect.INSTANCE.table(target.table()) + cols + " FROM STDIN";
    }

    private static CopyManager copyManager(Connection c) throws SQLException {
        return c.unwrap(PGConnection.class).getCopyAPI();
    }

    private static void cancelQuietly(CopyIn in) {
        try {
            if (in.isActive()) {
                in.cancelCopy();
            }
        } catch (SQLException ignored) {
            // the transaction is rolled back by the caller anyway
        }
    }
}
