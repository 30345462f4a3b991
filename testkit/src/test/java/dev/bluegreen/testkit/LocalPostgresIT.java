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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

@Tag("it-postgresql")
class LocalPostgresIT {

    @RegisterExtension
    static LocalPostgresExtension blue = new LocalPostgresExtension("blue");

    @Test
    void extensionServerIsLogicalAndLoadsSqlFiles(@TempDir Path dir) throws Exception {
        LocalPostgres postgres = blue.postgres();
        assertThat(blue.port()).isEqualTo(postgres.port());
        assertThat(query(postgres, "postgres", "SHOW wal_level")).isEqualTo("logical");
        assertThat(Files.isExecutable(postgres.binDir().resolve("pgbench"))).isTrue();

        postgres.createDatabase("files");
        Path sql = dir.resolve("load.sql");
        Files.writeString(sql, """
                CREATE TABLE film (id int PRIMARY KEY, title text NOT NULL);
                COPY film (id, title) FROM stdin;
                1\tACADEMY DINOSAUR
                2\tACE GOLDFINGER
                \\.
                """);
        postgres.psqlFile("files", sql);
        assertThat(query(postgres, "files", "SELECT string_agg(title, ',' ORDER BY id) FROM film"))
                .isEqualTo("ACADEMY DINOSAUR,ACE GOLDFINGER");

        Path bad = dir.resolve("bad.sql");
        Files.writeString(bad, "SELECT 1;\nSELECT * FROM no_such_table;\nCREATE TABLE after_error (id int);\n");
        assertThatThrownBy(() -> postgres.psqlFile("files", bad))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no_such_table");
        assertThat(query(postgres, "files", "SELECT count(*) FROM pg_tables WHERE tablename = 'after_error'"))
                .isEqualTo("0");
    }

    @Test
    void startCreateQueryAndClose() throws Exception {
        LocalPostgres postgres = LocalPostgres.start("testkit-it");
        int port = postgres.port();
        Path dataDir = postgres.dataDir();
        try {
            assertThat(postgres.jdbcUrl("shop")).isEqualTo("jdbc:postgresql://127.0.0.1:" + port + "/shop");
            assertThat(dataDir.getFileName().toString()).isEqualTo("testkit-it-" + port);
            assertThat(query(postgres, "postgres", "SHOW wal_level")).isEqualTo("logical");

            assertThat(postgres.createDatabase("shop")).isEqualTo(postgres.jdbcUrl("shop"));
            postgres.execute("shop", "CREATE TABLE item (id bigint PRIMARY KEY, name text);"
                    + "INSERT INTO item VALUES (1, 'pen'), (2, 'ink')");
            assertThat(query(postgres, "shop", "SELECT count(*) FROM item")).isEqualTo("2");

            // createDatabase replaces an existing database, even one with open sessions
            try (Connection open = postgres.connect("shop")) {
                postgres.createDatabase("shop");
                assertThat(open.isValid(2)).isFalse();
            }
            assertThat(query(postgres, "shop", "SELECT count(*) FROM pg_tables WHERE tablename = 'item'"))
                    .isEqualTo("0");
        } finally {
            postgres.close();
        }
        assertThat(accepts(port)).as("port %d accepts connections after close()", port).isFalse();
        assertThat(dataDir).doesNotExist();
        postgres.close(); // idempotent
    }

    private static String query(LocalPostgres postgres, String database, String sql) throws SQLException {
        try (Connection connection = postgres.connect(database);
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
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
