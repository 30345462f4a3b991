package dev.bluegreen.cutover.parity.pushdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.cutover.parity.pushdown.ChunkHashSql.Aggregate;
import dev.bluegreen.testkit.LocalPostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * S4: the chunk hash's settings, sent with the hash before one Sync and without BEGIN, shape the hash's
 * text output whatever the pooled session's own settings, make the statements after them read-only, and
 * are gone afterwards; the clock comes with the hash.
 */
@Tag("it-postgresql")
class ChunkHashSqlIT {

    @RegisterExtension
    static LocalPostgresExtension server = new LocalPostgresExtension("chunk-hash");

    private static final List<String> COLUMNS = List.of("id", "ts", "d", "f", "b", "iv", "note");
    private static final String ODD_SESSION = "SET TimeZone = 'Asia/Tokyo'; SET DateStyle = 'ISO, DMY';"
            + " SET IntervalStyle = 'sql_standard'; SET extra_float_digits = 0; SET bytea_output = 'escape'";

    private static HikariDataSource plain;
    private static HikariDataSource odd;
    private static ChunkHashSql hash;

    @BeforeAll
    static void setUp() throws Exception {
        server.postgres().createDatabase("hash");
        server.postgres().execute("hash", "CREATE TABLE t (id integer PRIMARY KEY, ts timestamptz, d date,"
                + " f double precision, b bytea, iv interval, note text);"
                + " INSERT INTO t SELECT i, timestamptz '2024-03-01 12:00:00+00' + i * interval '7 hours',"
                + " date '2024-01-31' + i, i * 0.1 + 0.2, decode(lpad(to_hex(i * 977), 6, '0'), 'hex'),"
                + " i * interval '1 day 3 hours', CASE i % 3 WHEN 0 THEN NULL WHEN 1 THEN '' ELSE 'n' || i END"
                + " FROM generate_series(1, 50) i");
        plain = pool(null);
        odd = pool(ODD_SESSION);
        Map<String, ColumnType> types = Map.of("id", ColumnType.of(TypeKind.INT32, "integer"));
        hash = new ChunkHashSql(TableId.parse("public.t"), List.of("id"), COLUMNS, types);
    }

    private static HikariDataSource pool(String initSql) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(server.jdbcUrl("hash"));
        hc.setUsername("postgres");
        hc.setMaximumPoolSize(1); // one session: what the hash leaves behind is what the next borrower sees
        hc.setConnectionInitSql(initSql);
        return new HikariDataSource(hc);
    }

    @AfterAll
    static void tearDown() {
        for (HikariDataSource ds : new HikariDataSource[] {plain, odd}) {
            if (ds != null) {
                ds.close();
            }
        }
    }

    @Test
    void theSettingsShapeTheHashWhateverTheSessionAndAreGoneAfterwards() throws Exception {
        String expected = pinnedByHand();
        Aggregate onPlain = hash.hash(plain, null, null, 0);
        Aggregate onOdd = hash.hash(odd, null, null, 0);
        assertThat(onPlain.rows()).isEqualTo(50);
        assertThat(onPlain.hashSum()).isEqualTo(expected);
        assertThat(onOdd.hashSum()).as("the session's own TimeZone, DateStyle, floats and bytea do not leak in")
                .isEqualTo(expected);
        try (Connection c = odd.getConnection(); Statement st = c.createStatement()) {
            assertThat(show(st, "TimeZone")).isEqualTo("Asia/Tokyo");
            assertThat(show(st, "extra_float_digits")).isEqualTo("0");
            assertThat(show(st, "bytea_output")).isEqualTo("escape");
            assertThat(show(st, "transaction_read_only")).isEqualTo("off");
        }
    }

    @Test
    void theStatementsAfterTheSettingsAreReadOnly() {
        assertThatThrownBy(() -> {
            try (Connection c = plain.getConnection();
                 PreparedStatement ps = c.prepareStatement(ChunkHashSql.SETTINGS + "; INSERT INTO t (id) VALUES (999)")) {
                ps.execute();
                ps.getMoreResults();
            }
        }).isInstanceOf(SQLException.class).extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("25006");
    }

    @Test
    void limitedReadsGiveTheLastKeyAndTheClockIsTheServersAfterTheRead() throws Exception {
        long before = System.currentTimeMillis();
        Aggregate first = hash.hash(plain, null, null, 20);
        long after = System.currentTimeMillis();
        assertThat(first.rows()).isEqualTo(20);
        assertThat(first.lastKey()).isEqualTo(Row.ofPairs("id", 20L));
        assertThat(first.clockMs()).isBetween(before - 1000, after + 1000); // same machine's clock
        Aggregate rest = hash.hash(plain, first.lastKey(), null, 0);
        Aggregate upTo = hash.hash(plain, null, first.lastKey(), 0);
        assertThat(rest.rows()).isEqualTo(30);
        assertThat(upTo.sameAs(first)).isTrue();
        assertThat(hash.hash(plain, Row.ofPairs("id", 50L), null, 0).hashSum()).isNull();
    }

    /** The same hash the old way: an explicit transaction with SET LOCAL. */
    private static String pinnedByHand() throws SQLException {
        try (Connection c = server.postgres().connect("hash")) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'postgres';"
                        + " SET LOCAL extra_float_digits = 1; SET LOCAL bytea_output = 'hex'");
                try (ResultSet rs = st.executeQuery("SELECT sum(hashtextextended(ROW(id::text, ts::text, d::text, f::text,"
                        + " b::text, iv::text, note::text)::text, 0))::text FROM t")) {
                    rs.next();
                    return rs.getString(1);
                }
            } finally {
                c.rollback();
            }
        }
    }

    private static String show(Statement st, String name) throws SQLException {
        try (ResultSet rs = st.executeQuery("SHOW " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
