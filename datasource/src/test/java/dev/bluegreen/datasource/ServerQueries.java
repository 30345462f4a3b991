package dev.bluegreen.datasource;

import dev.bluegreen.testkit.LocalPostgresExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Reads for the integration tests' assertions, as the local servers' superuser or through a DataSource. */
final class ServerQueries {

    private ServerQueries() {
    }

    /** @return the first column of every row of {@code sql}, as text (SQL NULL as {@code null}) */
    static List<String> column(LocalPostgresExtension server, String database, String sql) throws SQLException {
        try (Connection c = server.postgres().connect(database)) {
            return column(c, sql);
        }
    }

    /** @return the first column of the only row of {@code sql}, as text */
    static String value(LocalPostgresExtension server, String database, String sql) throws SQLException {
        List<String> values = column(server, database, sql);
        if (values.size() != 1) {
            throw new IllegalStateException("expected one row from " + sql + ", got " + values);
        }
        return values.get(0);
    }

    /** @return the port of the server a connection borrowed from {@code dataSource} is on */
    static int serverPort(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return Integer.parseInt(column(c, "SELECT inet_server_port()").get(0));
        }
    }

    /** @return a port of 127.0.0.1 that nothing listened on a moment ago */
    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static List<String> column(Connection c, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
