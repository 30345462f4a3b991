package dev.bluegreen.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bluegreen.cli.pipeline.Drain;
import dev.bluegreen.cli.pipeline.Pipeline;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.testkit.LocalPostgres;
import dev.bluegreen.testkit.LocalPostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 5, the backfill: bluegreen copies blue's rows itself at the replication slot's consistent point,
 * then streams from that slot. Writers change blue during the whole copy; a change missed between the
 * snapshot and the stream, applied twice out of order, or applied before its row was copied would each
 * leave green different from blue.
 */
@Tag("it-postgresql")
class BackfillIT {

    static final int ROWS = 60_000;

    @RegisterExtension
    static LocalPostgresExtension blueServer = new LocalPostgresExtension("backfill-blue");

    @RegisterExtension
    static LocalPostgresExtension greenServer = new LocalPostgresExtension("backfill-green");

    @RegisterExtension
    static KafkaBrokerExtension broker = new KafkaBrokerExtension();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    /**
     * Two writers update, delete and insert rows from before the slot exists until after the copy; the
     * copy runs in 2,000-row chunks on two workers (throttled so that it lasts seconds), through renames,
     * a cast and a computed column; green's secondary index is dropped for the copy and built after it.
     */
    @Test
    void copyAtTheConsistentPointThenStreamLosesNoChange() throws Exception {
        Map<String, String> env = setUp("consistent", "20000");
        PipelineConfig config = Pipelines.config("/backfill/pipeline.yaml", work, env);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writes = new AtomicLong();
        List<Thread> writers = startWriters("consistent", stop, writes);
        try (Pipeline p = new Pipeline(config).start()) {
            long writesAtStart = writes.get();
            Pipelines.awaitBackfill(p, Duration.ofMinutes(3));
            long writesDuringCopy = writes.get() - writesAtStart;
            stop.set(true);
            for (Thread w : writers) {
                w.join();
            }
            assertThat(writesDuringCopy).as("blue took writes while the copy ran").isGreaterThan(100);
            Drain.await(p, Duration.ofMinutes(2));
            Pipelines.assertGreenMatchesBlue(p);
            assertThat(Pipelines.statusOutput(work.resolve("pipeline.yaml"))).containsPattern(
                    "initial copy: done at [0-9A-F]+/[0-9A-F]+, 3[01] of 3[01] chunks");
            try (Connection g = greenServer.postgres().connect("consistent"); Statement st = g.createStatement()) {
                ResultSet rs = st.executeQuery("SELECT state, chunks, resumed FROM bluegreen.backfill");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("done");
                assertThat(rs.getInt(2)).as("chunks of about 2,000 rows").isBetween(ROWS / 2000, ROWS / 2000 + 2);
                assertThat(rs.getInt(3)).isZero();
                rs = st.executeQuery("SELECT count(*), count(copied_at), sum(rows_copied) FROM bluegreen.backfill_chunk");
                rs.next();
                assertThat(rs.getLong(2)).isEqualTo(rs.getLong(1));
                assertThat(rs.getLong(3)).as("rows at the consistent point").isBetween(ROWS - 2000L, ROWS + 2000L);
                rs = st.executeQuery("SELECT count(*) FROM pg_indexes WHERE schemaname = 'app'"
                        + " AND indexname = 'account_branch'");
                rs.next();
                assertThat(rs.getInt(1)).as("the secondary index is built again").isEqualTo(1);
                rs = st.executeQuery("SELECT count(built_at) FROM bluegreen.backfill_index");
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        } finally {
            stop.set(true);
        }
    }

    /**
     * The pipeline process is killed (SIGKILL) in the middle of the copy, while blue keeps changing; the
     * restart copies only the chunks not yet in green (the others keep the time they were copied) and
     * green ends equal to blue.
     */
    @Test
    void killedCopyResumesFromTheLastCopiedChunk() throws Exception {
        Map<String, String> env = setUp("resume", "8000");
        PipelineConfig config = Pipelines.config("/backfill/pipeline.yaml", work, env);
        Map<Integer, java.sql.Timestamp> copiedBeforeKill;
        Path log = work.resolve("child.log");
        Process child = Pipelines.startChild(work.resolve("pipeline.yaml"), log);
        try (Connection c = blueServer.postgres().connect("resume")) {
            Pipelines.awaitCopiedChunks(() -> greenServer.postgres().connect("resume"), 4, child, log);
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            copiedBeforeKill = copiedChunks("resume");
            assertThat(copiedBeforeKill.size()).as("some, not all, chunks copied before the kill")
                    .isBetween(4, ROWS / 2000 - 2);
            writeChanges(c, new Random(3), 400);
        } finally {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        try (Pipeline p = new Pipeline(config).start()) {
            try (Connection c = blueServer.postgres().connect("resume")) {
                writeChanges(c, new Random(4), 400);
            }
            Pipelines.awaitBackfill(p, Duration.ofMinutes(3));
            Drain.await(p, Duration.ofMinutes(2));
            Pipelines.assertGreenMatchesBlue(p);
            Map<Integer, java.sql.Timestamp> after = copiedChunks("resume");
            copiedBeforeKill.forEach((chunk, at) -> assertThat(after.get(chunk)).as("chunk " + chunk
                    + " was not copied again").isEqualTo(at));
            try (Connection g = greenServer.postgres().connect("resume"); Statement st = g.createStatement();
                 ResultSet rs = st.executeQuery("SELECT state, resumed FROM bluegreen.backfill")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("done");
                assertThat(rs.getInt(2)).isEqualTo(1);
            }
        }
    }

    /**
     * Every value kind, with NULLs, extremes and awkward text, copied with the identity mapping: piped
     * unchanged ({@code auto}) and decoded + encoded per row ({@code rows}); green must equal blue value
     * for value as the parity check reads them over JDBC.
     */
    @ParameterizedTest
    @ValueSource(strings = {"auto", "rows"})
    void everyValueKindSurvivesTheCopy(String path) throws Exception {
        String db = "types_" + path;
        LocalPostgres blue = blueServer.postgres();
        LocalPostgres green = greenServer.postgres();
        String ddl = "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');"
                + " CREATE TABLE everything (id int PRIMARY KEY, i2 smallint, i8 bigint, num numeric(12,4), numu numeric,"
                + " f4 real, f8 double precision, b boolean, t text, vc varchar(20), ch char(5), d date, tm time,"
                + " ts timestamp, tstz timestamptz, by bytea, u uuid, j json, jb jsonb, m mood, tv tsvector,"
                + " ai int[], at text[], an numeric[]);"
                + " CREATE TABLE \"Mixed Case\" (\"Key Id\" int PRIMARY KEY, \"Value\" text, \"select\" int)";
        blue.createDatabase(db);
        blue.execute(db, ddl);
        green.createDatabase(db);
        green.execute(db, ddl);
        blue.execute(db, "INSERT INTO everything VALUES"
                + " (1, 1, 9223372036854775807, 12345678.1234, 0.000001, 1.5, 2.25, true, 'plain', 'v', 'ab',"
                + " '2024-02-29', '23:59:59.999999', '2024-01-01 12:00:00.123456', '2024-01-01 12:00:00.5+02',"
                + " '\\x00ff10', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": [1, 2]}', '{\"b\": {\"c\": null}}',"
                + " 'happy', 'a fat cat', '{1,NULL,3}', '{\"x y\",\"q\\\"uote\",\"back\\\\slash\",NULL,\"\"}', '{1.50,NULL}'),"
                + " (2, -32768, -9223372036854775808, -0.0001, 1e20, 'NaN', '-Infinity', false,"
                + " E'tab\\there\\nnew line\\\\ back \\r cr', 'ünïcødé 🎉', 'x', 'infinity', '00:00:00', '-infinity',"
                + " 'infinity', '\\x', '00000000-0000-0000-0000-000000000000', '[]', '[]', 'sad', '', '{}', '{}', '{}'),"
                + " (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '0044-03-15 BC', NULL,"
                + " '1999-12-31 23:59:59', '1970-01-01 00:00:00+00', NULL, NULL, 'null', 'null', NULL, NULL, NULL, NULL, NULL),"
                + " (4, 0, 0, 0, 0, 'Infinity', 1e-300, NULL, '', '', '     ', '0001-01-01', '12:30', '0001-01-01 00:00:00',"
                + " '2038-01-19 03:14:08+00', '\\x5c5c', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '\"s\"', '\"s\"', 'ok',"
                + " 'with:1 lexemes:2A', '{-1}', '{\"NULL\"}', '{0.0}')");
        blue.execute(db, "INSERT INTO everything (id, t, i8) SELECT g, 'row ' || g, g * 7 FROM generate_series(5, 1000) g");
        Map<String, String> env = new HashMap<>(Map.of("NAME", db, "WORK_DIR", work.resolve(db).toString(),
                "BLUE_URL", blue.jdbcUrl(db), "GREEN_URL", green.jdbcUrl(db), "KAFKA", broker.bootstrapServers(),
                "COPY_PATH", path));
        PipelineConfig config = Pipelines.config("/backfill/types.yaml", work, env);
        try (Pipeline p = new Pipeline(config).start()) {
            Pipelines.awaitBackfill(p, Duration.ofMinutes(2));
            Pipelines.assertGreenMatchesBlue(p);
            try (Connection g = green.connect(db); Statement st = g.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM everything")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1000);
            }
            // the same values streamed (Debezium, Kafka, the envelope decoder) instead of copied: rows 1-4
            // written over rows 5-8, inserted again as 2001-2004, row 1000 deleted, and row 9 given the
            // infinities row 2 lacks and 24:00; and a table named with a space, quoted columns, a reserved word
            String cols = "i2, i8, num, numu, f4, f8, b, t, vc, ch, d, tm, ts, tstz, by, u, j, jb, m, tv, ai, at, an";
            blue.execute(db, "UPDATE everything e SET (" + cols + ") = (SELECT " + cols + " FROM everything s"
                    + " WHERE s.id = e.id - 4) WHERE e.id BETWEEN 5 AND 8");
            blue.execute(db, "INSERT INTO everything (id, " + cols + ") SELECT id + 2000, " + cols
                    + " FROM everything WHERE id <= 4");
            blue.execute(db, "DELETE FROM everything WHERE id = 1000");
            blue.execute(db, "INSERT INTO \"Mixed Case\" VALUES (1, 'one', 1), (2, 'two', 2);"
                    + " UPDATE \"Mixed Case\" SET \"Value\" = 'uno' WHERE \"Key Id\" = 1; DELETE FROM \"Mixed Case\" WHERE \"Key Id\" = 2");
            blue.execute(db, "UPDATE everything SET tm = '24:00:00', ts = 'infinity', d = '-infinity',"
                    + " tstz = '-infinity' WHERE id = 9");
            Drain.await(p, Duration.ofMinutes(2));
            Pipelines.assertGreenMatchesBlue(p);
            try (Connection g = green.connect(db); Statement st = g.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*), count(*) FILTER (WHERE f4 = 'NaN' AND f8 = '-Infinity')"
                         + " FROM everything")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1003);
                assertThat(rs.getInt(2)).as("NaN and -Infinity streamed as themselves (rows 2, 6, 2002)").isEqualTo(3);
            }
            try (Connection g = green.connect(db); Statement st = g.createStatement();
                 ResultSet rs = st.executeQuery("SELECT string_agg(\"Key Id\" || ':' || \"Value\", ',') FROM \"Mixed Case\"")) {
                rs.next();
                assertThat(rs.getString(1)).as("a table whose name Kafka refuses as a topic name streams through"
                        + " Debezium's sanitized topic").isEqualTo("1:uno");
            }
            // a TRUNCATE on blue empties green's target, and what follows it in the stream is applied after it
            blue.execute(db, "BEGIN; TRUNCATE everything; INSERT INTO everything (id, t) VALUES (1, 'after truncate');"
                    + " COMMIT");
            blue.execute(db, "INSERT INTO everything (id, t) VALUES (2, 'later')");
            Drain.await(p, Duration.ofMinutes(2));
            Pipelines.assertGreenMatchesBlue(p);
            try (Connection g = green.connect(db); Statement st = g.createStatement();
                 ResultSet rs = st.executeQuery("SELECT string_agg(id || ':' || t, ',' ORDER BY id) FROM everything")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("1:after truncate,2:later");
            }
        }
    }

    /** Rows in a green target that bluegreen did not write stop the start, naming the table and the fix. */
    @Test
    void greenTargetWithForeignRowsIsRefused() throws Exception {
        Map<String, String> env = setUp("foreign", "0");
        greenServer.postgres().execute("foreign", "INSERT INTO app.account VALUES (1, 1, 100, 'mine', now(), 'x')");
        PipelineConfig config = Pipelines.config("/backfill/pipeline.yaml", work, env);
        Pipeline p = new Pipeline(config);
        try {
            assertThatThrownBy(p::start).isInstanceOf(BluegreenException.class)
                    .hasMessageContaining("green table app.account already holds rows that bluegreen did not write")
                    .hasMessageContaining("TRUNCATE");
        } finally {
            p.close();
        }
        try (Connection g = greenServer.postgres().connect("foreign"); Statement st = g.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM app.account")) {
            rs.next();
            assertThat(rs.getInt(1)).as("nothing of green's was touched").isEqualTo(1);
        }
    }

    /**
     * Rows the mapping cannot convert (a note longer than green's varchar(40)) go to the dead-letter table
     * with the reason and the raw row, within the budget; past it, the copy stops, naming the row and the fix,
     * and a restart resumes at that chunk.
     */
    @ParameterizedTest
    @ValueSource(ints = {5, 0})
    void rowsTheMappingRejectsAreDeadLetteredWithinTheBudget(int budget) throws Exception {
        String db = "dead" + budget;
        Map<String, String> env = new HashMap<>(setUp(db, "0"));
        env.put("BUDGET", Integer.toString(budget));
        blueServer.postgres().execute(db, "UPDATE account SET note = repeat('x', 50) WHERE id IN (10, 20000, 40000)");
        PipelineConfig config = Pipelines.config("/backfill/pipeline.yaml", work, env);
        try (Pipeline p = new Pipeline(config).start()) {
            if (budget == 0) {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                while (true) {
                    try {
                        p.checkHealthy();
                    } catch (BluegreenException e) {
                        assertThat(e.code()).isEqualTo(dev.bluegreen.core.error.ErrorCode.DEAD_LETTER_BUDGET_EXCEEDED);
                        assertThat(e.getMessage()).contains("public.account").contains("note")
                                .contains("sink.dead-letter-budget-rows").contains("resumes at this chunk");
                        break;
                    }
                    assertThat(System.nanoTime()).as("the copy stopped at the first bad row").isLessThan(deadline);
                    Thread.sleep(100);
                }
                return;
            }
            Pipelines.awaitBackfill(p, Duration.ofMinutes(2));
            try (Connection g = greenServer.postgres().connect(db); Statement st = g.createStatement()) {
                ResultSet rs = st.executeQuery("SELECT blue_table, topic, event_key, raw_event, error FROM"
                        + " bluegreen.dead_letter ORDER BY event_key");
                List<String> keys = new ArrayList<>();
                while (rs.next()) {
                    assertThat(rs.getString(1)).isEqualTo("public.account");
                    assertThat(rs.getString(2)).isEqualTo("backfill");
                    assertThat(rs.getString(4)).contains("xxxxxxxxxx");
                    assertThat(rs.getString(5)).contains("note");
                    keys.add(rs.getString(3));
                }
                assertThat(keys).containsExactly("{id=10}", "{id=20000}", "{id=40000}");
                rs = st.executeQuery("SELECT count(*), count(*) FILTER (WHERE account_id IN (10, 20000, 40000))"
                        + " FROM app.account");
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(ROWS - 3);
                assertThat(rs.getLong(2)).isZero();
            }
        }
    }

    private Map<String, String> setUp(String db, String rate) throws Exception {
        LocalPostgres blue = blueServer.postgres();
        LocalPostgres green = greenServer.postgres();
        blue.createDatabase(db);
        blue.execute(db, "CREATE TABLE account (id integer PRIMARY KEY, branch integer NOT NULL,"
                + " balance numeric(12,2) NOT NULL, note text, updated_at timestamptz NOT NULL DEFAULT now())");
        blue.execute(db, "INSERT INTO account SELECT i, i % 10, (i % 1000) + 0.25, 'account ' || i,"
                + " '2024-01-01'::timestamptz + i * interval '1 second' FROM generate_series(1, " + ROWS + ") i");
        blue.execute(db, "ANALYZE account");
        green.createDatabase(db);
        green.execute(db, "CREATE SCHEMA app");
        green.execute(db, "CREATE TABLE app.account (account_id bigint PRIMARY KEY, branch integer NOT NULL,"
                + " balance_cents bigint NOT NULL, note varchar(40), updated_at timestamptz NOT NULL, tier text NOT NULL)");
        green.execute(db, "CREATE INDEX account_branch ON app.account (branch, tier)");
        return Map.of("NAME", db, "WORK_DIR", work.resolve(db).toString(), "BLUE_URL", blue.jdbcUrl(db),
                "GREEN_URL", green.jdbcUrl(db), "KAFKA", broker.bootstrapServers(), "RATE", rate, "BUDGET", "0");
    }

    private List<Thread> startWriters(String db, AtomicBoolean stop, AtomicLong writes) {
        return Pipelines.startWriters(() -> blueServer.postgres().connect(db), (c, random) -> {
            writeChanges(c, random, 20);
            return 20;
        }, stop, writes);
    }

    /** Random balance updates, deletes and inserts (also of keys past the copied range), one transaction each. */
    static void writeChanges(Connection c, Random random, int count) throws SQLException {
        try (PreparedStatement upd = c.prepareStatement("UPDATE account SET balance = balance + 1.5, note = note || '+',"
                + " updated_at = now() WHERE id = ?");
             PreparedStatement del = c.prepareStatement("DELETE FROM account WHERE id = ?");
             PreparedStatement ins = c.prepareStatement("INSERT INTO account (id, branch, balance, note) VALUES (?, 1, 7.00,"
                     + " 'new') ON CONFLICT (id) DO UPDATE SET balance = account.balance + 100")) {
            for (int i = 0; i < count; i++) {
                int id = 1 + random.nextInt(ROWS + ROWS / 10);
                int op = random.nextInt(10);
                PreparedStatement ps = op < 6 ? upd : op < 8 ? del : ins;
                ps.setInt(1, id);
                ps.executeUpdate();
            }
        }
    }


    private Map<Integer, java.sql.Timestamp> copiedChunks(String db) throws SQLException {
        try (Connection g = greenServer.postgres().connect(db)) {
            return Pipelines.copiedChunks(g);
        }
    }
}
