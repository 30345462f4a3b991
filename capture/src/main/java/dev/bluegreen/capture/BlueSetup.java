package dev.bluegreen.capture;

import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.core.event.TableId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares blue for capture: checks {@code wal_level}, creates bluegreen's heartbeat table
 * ({@value #HEARTBEAT_TABLE}) and the publication named after the pipeline, covering the mapped
 * tables plus the heartbeat table, with {@code publish_via_partition_root = true} so a partitioned
 * table's changes arrive as its root table's. On a MariaDB blue: checks the binlog settings and creates
 * the heartbeat table (no publication). Idempotent; safe to run at every start.
 */
public final class BlueSetup {

    private static final Logger LOG = LoggerFactory.getLogger(BlueSetup.class);

    /** The heartbeat table on blue; one row per pipeline, updated every heartbeat interval. */
    public static final String HEARTBEAT_TABLE = "bluegreen.heartbeat";

    /** The heartbeat table's id. */
    public static final TableId HEARTBEAT = new TableId("bluegreen", "heartbeat");

    private BlueSetup() {
    }

    /**
     * Runs the checks and creates what is missing.
     *
     * @throws BluegreenException CONFIG-category when blue is not configured for logical decoding
     *     (the message says which setting to change), EXTERNAL when blue fails
     */
    public static void prepare(DataSource blue, PipelineConfig config) {
        if (Engine.of(config.blue()) == Engine.MARIADB) {
            prepareMariaDb(blue, config);
            return;
        }
        try (Connection c = blue.getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SHOW wal_level")) {
                rs.next();
                if (!"logical".equals(rs.getString(1))) {
                    throw new BluegreenException(ErrorCode.CONFIG_INVALID, "blue has wal_level=" + rs.getString(1)
                            + "; logical decoding needs wal_level=logical: set it in postgresql.conf"
                            + " (ALTER SYSTEM SET wal_level = logical) and restart blue");
                }
            }
            st.execute("CREATE SCHEMA IF NOT EXISTS bluegreen");
            st.execute("CREATE TABLE IF NOT EXISTS " + HEARTBEAT_TABLE
                    + " (pipeline text PRIMARY KEY, beat_at timestamptz NOT NULL, beats bigint NOT NULL)");
            st.execute("INSERT INTO " + HEARTBEAT_TABLE + " VALUES ('" + config.name() + "', now(), 0)"
                    + " ON CONFLICT (pipeline) DO NOTHING");
            String tables = String.join(", ", tableList(config));
            boolean exists;
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_publication WHERE pubname = '"
                    + config.publicationName() + "'")) {
                exists = rs.next();
            }
            if (exists) {
                st.execute("ALTER PUBLICATION " + config.publicationName() + " SET TABLE " + tables);
                st.execute("ALTER PUBLICATION " + config.publicationName() + " SET (publish_via_partition_root = true)");
            } else {
                st.execute("CREATE PUBLICATION " + config.publicationName() + " FOR TABLE " + tables
                        + " WITH (publish_via_partition_root = true)");
            }
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.BLUE_UNAVAILABLE, "preparing blue for capture failed: "
                    + e.getMessage() + " (SQLState " + e.getSQLState() + "); the blue user needs CREATE on the"
                    + " database and ownership of the mapped tables (or superuser) to create the publication", e);
        }
    }

    /**
     * MariaDB: the binlog must be on, row-based and with full row images (Debezium's MariaDB connector needs
     * every column of the before and after images: updates become upserts of whole rows, deletes carry the
     * key); the heartbeat table lives in a database of its own, {@code bluegreen}.
     */
    private static void prepareMariaDb(DataSource blue, PipelineConfig config) {
        try (Connection c = blue.getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@GLOBAL.sql_mode")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new BluegreenException(ErrorCode.CONFIG_INVALID, "blue has no binary log (log_bin is off);"
                            + " change data capture reads it: start mariadbd with --log-bin and --server-id");
                }
                if (!"ROW".equalsIgnoreCase(rs.getString(2)) || !"FULL".equalsIgnoreCase(rs.getString(3))) {
                    throw new BluegreenException(ErrorCode.CONFIG_INVALID, "blue has binlog_format=" + rs.getString(2)
                            + " and binlog_row_image=" + rs.getString(3) + "; capture needs binlog_format=ROW and"
                            + " binlog_row_image=FULL (SET GLOBAL binlog_format = 'ROW', binlog_row_image = 'FULL', and"
                            + " the same in the server's configuration)");
                }
                zeroDateWarning(rs.getString(4)).ifPresent(w -> LOG.warn("{} - {}", config.name(), w));
            }
            st.execute("CREATE DATABASE IF NOT EXISTS bluegreen");
            st.execute("CREATE TABLE IF NOT EXISTS bluegreen.heartbeat (pipeline VARCHAR(200) NOT NULL PRIMARY KEY,"
                    + " beat_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), beats BIGINT NOT NULL) ENGINE=InnoDB");
            st.execute("INSERT IGNORE INTO bluegreen.heartbeat VALUES ('" + config.name() + "', CURRENT_TIMESTAMP(6), 0)");
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.BLUE_UNAVAILABLE, "preparing blue for capture failed: "
                    + e.getMessage() + " (SQLState " + e.getSQLState() + "); the blue user needs CREATE and INSERT on"
                    + " the database bluegreen, and REPLICATION SLAVE, REPLICATION CLIENT and SELECT for capture (RELOAD too for"
                    + " a parallel initial copy)", e);
        }
    }

    /**
     * A warning when blue's global {@code sql_mode} lets sessions write zero dates ({@code 0000-00-00},
     * or a zero month or day): Debezium's binlog connectors stream them as null, or as the epoch in a
     * NOT NULL column (their {@code BinlogValueConverters}), so green would hold another value without
     * an error; the initial copy, which reads blue itself, refuses them.
     *
     * @param sqlMode blue's {@code @@GLOBAL.sql_mode} (comma-separated, any case; null or empty allowed)
     * @return the warning naming the mode and the fix, or empty when both {@code NO_ZERO_DATE} and
     *     {@code NO_ZERO_IN_DATE} are set
     */
    static Optional<String> zeroDateWarning(String sqlMode) {
        List<String> modes = sqlMode == null ? List.of()
                : List.of(sqlMode.toUpperCase(Locale.ROOT).split("\\s*,\\s*"));
        List<String> missing = new ArrayList<>();
        for (String m : List.of("NO_ZERO_DATE", "NO_ZERO_IN_DATE")) {
            if (!modes.contains(m)) {
                missing.add(m);
            }
        }
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("blue's sql_mode '" + (sqlMode == null ? "" : sqlMode) + "' lacks " + String.join(" and ", missing)
                + ": a zero date written on blue while streaming reaches green as NULL (as 1970-01-01 in a NOT NULL"
                + " column), without an error. Add them (SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, ',"
                + String.join(",", missing) + "'), and the same in the server's configuration) to have blue refuse"
                + " zero dates");
    }

    /**
     * The heartbeat statement Debezium runs on blue every heartbeat interval.
     */
    public static String heartbeatQuery(PipelineConfig config) {
        String now = Engine.of(config.blue()) == Engine.MARIADB ? "CURRENT_TIMESTAMP(6)" : "now()";
        return "UPDATE " + HEARTBEAT_TABLE + " SET beat_at = " + now + ", beats = beats + 1 WHERE pipeline = '"
                + config.name() + "'";
    }

    private static List<String> tableList(PipelineConfig config) {
        List<String> out = new ArrayList<>();
        for (TableMapping m : config.tables()) {
            out.add(quoted(m.blue()));
        }
        out.add(quoted(HEARTBEAT));
        return out;
    }

    private static String quoted(TableId id) {
        return "\"" + id.schema().replace("\"", "\"\"") + "\".\"" + id.name().replace("\"", "\"\"") + "\"";
    }
}
