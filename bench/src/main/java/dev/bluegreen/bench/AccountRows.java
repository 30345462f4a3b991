package dev.bluegreen.bench;

import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.transform.TargetShape;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's data: green's {@code bank.account} (pgbench_accounts in the overhauled shape) as
 * bluegreen canonical rows ({@link Long} and {@link String} values, {@code null} for SQL NULL), and
 * the checksum that proves a path wrote exactly those rows.
 *
 * <p>About one note in ten is NULL and one in 97 holds the characters a COPY encoder must escape
 * (tab, newline, carriage return, backslash) plus quotes and non-ASCII text, so that a path with a
 * wrong encoding fails the checksum instead of looking fast. Balances include negative values.
 */
final class AccountRows {

    static final TableId TABLE = new TableId("bank", "account");
    static final List<String> COLUMNS = List.of("account_id", "branch_id", "balance_cents", "note");
    static final TargetShape SHAPE = new TargetShape(TABLE, List.of("account_id"), COLUMNS, Map.of(
            "account_id", ColumnType.of(TypeKind.INT64, "bigint"),
            "branch_id", ColumnType.of(TypeKind.INT32, "integer"),
            "balance_cents", ColumnType.of(TypeKind.INT64, "bigint"),
            "note", ColumnType.of(TypeKind.TEXT, "text")));
    static final String DDL = "CREATE SCHEMA bank; CREATE TABLE bank.account (account_id bigint PRIMARY KEY,"
            + " branch_id integer NOT NULL, balance_cents bigint NOT NULL, note text)";

    /** Reads count, sum of balances and an MD5 over every column of every row, in key order. */
    private static final String CHECKSUM_SQL = "SELECT count(*), coalesce(sum(balance_cents), 0),"
            + " md5(coalesce(string_agg(account_id::text || ',' || branch_id::text || ',' || balance_cents::text"
            + " || ',' || coalesce('T' || note, 'N'), E'\\n' ORDER BY account_id), '')) FROM bank.account";

    private AccountRows() {
    }

    /** Rows with keys 1..n, in key order. */
    static List<Row> generate(int n) {
        List<Row> out = new ArrayList<>(n);
        for (long i = 1; i <= n; i++) {
            String note;
            if (i % 10 == 0) {
                note = null;
            } else if (i % 97 == 0) {
                note = "tab\there, new\nline, cr\r, back\\slash \\N, quotes ' \" , non-ASCII: grüße € 😀 #" + i;
            } else {
                note = "account " + i;
            }
            out.add(Row.of(COLUMNS, Arrays.asList(i, i % 10 + 1, (i * 7919) % 200_000 - 50_000, note)));
        }
        return out;
    }

    /**
     * Out-of-date versions of every third row (other branch, balance and note; a note where the
     * real row has NULL, NULL where it has one), to load before a path runs so that its conflict
     * handling must overwrite them.
     */
    static List<Row> stale(List<Row> rows) {
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += 3) {
            Row r = rows.get(i);
            Object note = r.get("note") == null ? "stale" : null;
            out.add(Row.of(COLUMNS, Arrays.asList(r.get("account_id"), 99L, -1L, note)));
        }
        return out;
    }

    /**
     * What green holds.
     *
     * @param rows number of rows
     * @param balanceSum sum of {@code balance_cents}
     * @param md5 MD5 (hex) of every row's columns, rows in key order
     */
    record Checksum(long rows, long balanceSum, String md5) {
    }

    /** The checksum green must show after the rows (in key order) were written into an empty table. */
    static Checksum expected(List<Row> rowsInKeyOrder) {
        MessageDigest md5 = md5();
        long sum = 0;
        boolean first = true;
        for (Row r : rowsInKeyOrder) {
            Object note = r.get("note");
            String line = (first ? "" : "\n") + r.get("account_id") + "," + r.get("branch_id") + ","
                    + r.get("balance_cents") + "," + (note == null ? "N" : "T" + note);
            md5.update(line.getBytes(StandardCharsets.UTF_8));
            sum += (Long) r.get("balance_cents");
            first = false;
        }
        return new Checksum(rowsInKeyOrder.size(), sum, HexFormat.of().formatHex(md5.digest()));
    }

    /** The checksum of what {@code bank.account} holds now. */
    static Checksum read(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(CHECKSUM_SQL)) {
            rs.next();
            return new Checksum(rs.getLong(1), rs.getLong(2), rs.getString(3));
        }
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no MD5", e);
        }
    }
}
