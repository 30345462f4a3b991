package dev.bluegreen.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

@Tag("it-mariadb")
class LocalMariaDbIT {

    @RegisterExtension
    static LocalMariaDbExtension blue = new LocalMariaDbExtension("blue");

    @Test
    void extensionServerLoadsSqlFilesAndStopsAtTheFirstError(@TempDir Path dir) throws Exception {
        LocalMariaDb mariaDb = blue.mariaDb();
        assertThat(blue.port()).isEqualTo(mariaDb.port());
        assertThat(blue.jdbcUrl("files")).isEqualTo(mariaDb.jdbcUrl("files"));
        assertThat(Files.isExecutable(mariaDb.binDir().resolve("mariadb"))).isTrue();

        mariaDb.createDatabase("files");
        Path sql = dir.resolve("load.sql");
        Files.writeString(sql, """
                CREATE TABLE film (id int PRIMARY KEY, title varchar(100) NOT NULL);
                INSERT INTO film VALUES (1, 'ACADEMY DINOSAUR'), (2, 'Ação ✓ 🎬');
                DELIMITER //
                CREATE PROCEDURE film_count() BEGIN SELECT count(*) FROM film; END//
                DELIMITER ;
                """);
        mariaDb.mariadbFile("files", sql);
        assertThat(query(mariaDb, "files", "SELECT group_concat(title ORDER BY id) FROM film"))
                .isEqualTo("ACADEMY DINOSAUR,Ação ✓ 🎬");
        assertThat(query(mariaDb, "files", "SELECT count(*) FROM information_schema.ROUTINES"
                + " WHERE ROUTINE_SCHEMA = 'files' AND ROUTINE_NAME = 'film_count'")).isEqualTo("1");

        Path bad = dir.resolve("bad.sql");
        Files.writeString(bad, "SELECT 1;\nSELECT * FROM no_such_table;\nCREATE TABLE after_error (id int);\n");
        assertThatThrownBy(() -> mariaDb.mariadbFile("files", bad))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ERROR 1146 (42S02) at line 2")
                .hasMessageContaining("no_such_table");
        assertThat(query(mariaDb, "files", "SELECT count(*) FROM information_schema.TABLES"
                + " WHERE TABLE_SCHEMA = 'files' AND TABLE_NAME = 'after_error'")).isEqualTo("0");
    }

    @Test
    void chinookLoadsIntoItsOwnDatabase() throws Exception {
        LocalMariaDb mariaDb = blue.mariaDb();
        // the dump drops, creates and USEs database `Chinook` itself
        mariaDb.mariadbFile("", datasets().resolve("chinook/Chinook_MySql.sql"));

        assertThat(column(mariaDb, "SELECT TABLE_NAME FROM information_schema.TABLES"
                + " WHERE TABLE_SCHEMA = 'Chinook' ORDER BY TABLE_NAME")).containsExactly("Album", "Artist",
                "Customer", "Employee", "Genre", "Invoice", "InvoiceLine", "MediaType", "Playlist",
                "PlaylistTrack", "Track");
        assertThat(query(mariaDb, "Chinook", "SELECT count(*) FROM Track")).isEqualTo("3503");
        assertThat(query(mariaDb, "Chinook", "SELECT count(*) FROM PlaylistTrack")).isEqualTo("8715");
        assertThat(query(mariaDb, "Chinook", "SELECT Name FROM Artist WHERE ArtistId = 6"))
                .isEqualTo("Antônio Carlos Jobim");
        // lower_case_table_names=0: table names are case-sensitive
        assertThatThrownBy(() -> query(mariaDb, "Chinook", "SELECT count(*) FROM track"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("doesn't exist");
        // NVARCHAR is MariaDB's national character set, utf8mb3, not the server's utf8mb4
        assertThat(query(mariaDb, "Chinook", "SELECT CHARACTER_SET_NAME FROM information_schema.COLUMNS"
                + " WHERE TABLE_SCHEMA = 'Chinook' AND TABLE_NAME = 'Artist' AND COLUMN_NAME = 'Name'"))
                .isEqualTo("utf8mb3");
    }

    @Test
    void startBinlogCreateAndClose() throws Exception {
        LocalMariaDb mariaDb = LocalMariaDb.start("testkit-it");
        int port = mariaDb.port();
        Path dataDir = mariaDb.dataDir();
        Path ownerFile = dataDir.resolveSibling(dataDir.getFileName() + ".mariadb-owner");
        try {
            assertThat(mariaDb.jdbcUrl("shop")).isEqualTo("jdbc:mariadb://127.0.0.1:" + port + "/shop");
            assertThat(dataDir.getFileName().toString()).isEqualTo("testkit-it-" + port);
            assertThat(Files.readString(ownerFile).strip()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
            assertThat(mariaDb.user()).isEqualTo("root");
            assertThat(mariaDb.password()).isEmpty();
            assertThat(row(mariaDb, "", "SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@server_id,"
                    + " @@log_slave_updates, @@character_set_server, @@collation_server, @@time_zone, @@port"))
                    .containsExactly("1", "ROW", "FULL", "1", "1", "utf8mb4", "utf8mb4_unicode_ci", "+00:00",
                            Integer.toString(port));
            assertThat(query(mariaDb, "", "SELECT @@datadir")).isEqualTo(dataDir + "/");
            // the script's grants are not in the binary log
            assertThat(query(mariaDb, "", "SELECT @@gtid_binlog_pos")).isEmpty();

            assertThat(mariaDb.createDatabase("shop")).isEqualTo(mariaDb.jdbcUrl("shop"));
            mariaDb.execute("shop", "CREATE TABLE item (id bigint PRIMARY KEY, name varchar(40));"
                    + "INSERT INTO item VALUES (1, 'pen'), (2, 'ink')");
            assertThat(query(mariaDb, "shop", "SELECT count(*) FROM item")).isEqualTo("2");

            List<String> master = row(mariaDb, "", "SHOW MASTER STATUS");
            assertThat(master.get(0)).matches("binlog\\.\\d{6}");
            assertThat(Long.parseLong(master.get(1))).isGreaterThan(4);
            assertThat(dataDir.resolve(master.get(0))).isRegularFile();
            assertThat(query(mariaDb, "", "SELECT @@gtid_binlog_pos")).matches("0-1-\\d+");

            // createDatabase replaces an existing database, even one with open sessions
            try (Connection open = mariaDb.connect("shop")) {
                mariaDb.createDatabase("shop");
                assertThat(open.isValid(2)).isFalse();
            }
            assertThat(query(mariaDb, "", "SELECT count(*) FROM information_schema.TABLES"
                    + " WHERE TABLE_SCHEMA = 'shop' AND TABLE_NAME = 'item'")).isEqualTo("0");
        } finally {
            mariaDb.close();
        }
        assertThat(accepts(port)).as("port %d accepts connections after close()", port).isFalse();
        assertThat(dataDir).doesNotExist();
        assertThat(ownerFile).doesNotExist();
        mariaDb.close(); // idempotent
    }

    @Test
    void stopOrphansStopsTheServersOfDeadOwnersOnly(@TempDir Path serversDir) throws Exception {
        Path root = ServerScript.projectRoot("deploy/local/mariadb.sh");
        LocalMariaDb orphan = LocalMariaDb.start("orphan", serversDir, root);
        LocalMariaDb live = LocalMariaDb.start("live", serversDir, root);
        try {
            Process gone = new ProcessBuilder("true").start();
            gone.waitFor();
            Path ownerFile = orphan.dataDir().resolveSibling(orphan.dataDir().getFileName() + ".mariadb-owner");
            Files.writeString(ownerFile, gone.pid() + "\n");
            // another kind's owner file with a dead owner: not ours to stop or delete
            Path postgresOwner = serversDir.resolve("pg-1.owner");
            Files.createDirectories(serversDir.resolve("pg-1"));
            Files.writeString(postgresOwner, gone.pid() + "\n");

            LocalMariaDb.stopOrphans(serversDir, root);

            assertThat(accepts(orphan.port())).isFalse();
            assertThat(orphan.dataDir()).doesNotExist();
            assertThat(ownerFile).doesNotExist();
            assertThat(query(live, "", "SELECT 1")).isEqualTo("1");
            assertThat(serversDir.resolve("pg-1")).isDirectory();
            assertThat(postgresOwner).isRegularFile();
        } finally {
            orphan.close(); // the server is gone already: stop is a no-op
            live.close();
        }
        assertThat(accepts(live.port())).isFalse();
    }

    private static String query(LocalMariaDb mariaDb, String database, String sql) throws SQLException {
        return row(mariaDb, database, sql).get(0);
    }

    private static List<String> row(LocalMariaDb mariaDb, String database, String sql) throws SQLException {
        try (Connection connection = mariaDb.connect(database);
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            assertThat(rs.next()).as("a row from %s", sql).isTrue();
            List<String> values = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                values.add(rs.getString(i));
            }
            return values;
        }
    }

    private static List<String> column(LocalMariaDb mariaDb, String sql) throws SQLException {
        try (Connection connection = mariaDb.connect("");
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        }
    }

    /** {@code -Dbluegreen.datasets}, else {@code ../shared/datasets} beside the project, as the cli's ITs find it. */
    private static Path datasets() {
        String property = System.getProperty("bluegreen.datasets");
        Path root = ServerScript.projectRoot("deploy/local/mariadb.sh");
        Path dir = property != null ? Path.of(property) : root.resolve("../shared/datasets").normalize();
        if (!Files.isDirectory(dir)) {
            String message = "datasets folder " + dir + " is missing (set -Dbluegreen.datasets=DIR)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(message + "; under CI it must be there");
            }
            Assumptions.abort(message);
        }
        return dir;
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
