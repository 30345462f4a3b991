package dev.bluegreen.cutover.coordinator;

import dev.bluegreen.core.dialect.mariadb.MariaDbDialect;
import dev.bluegreen.core.event.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The application user's write privileges on a MariaDB blue's captured tables, read from the grant tables
 * ({@code mysql.db}, {@code mysql.tables_priv}; the blue user needs SELECT on the {@code mysql} database), and the
 * pre-check of what the cutover needs there. A write privilege here is INSERT, UPDATE, DELETE or DROP (TRUNCATE
 * needs DROP). User names compare exactly ({@code BINARY}; the grant tables' User columns are binary already,
 * information_schema's are not). Stateless.
 */
final class MariaDbGrants {

    private static final MariaDbDialect D = MariaDbDialect.INSTANCE;
    private static final List<String> WRITES = List.of("INSERT", "UPDATE", "DELETE", "DROP");
    /** MariaDB 10.11's PUBLIC: grants to every account, kept in the grant tables under this user name. */
    private static final String PUBLIC = "PUBLIC";

    private MariaDbGrants() {
    }

    /**
     * One grant of write privileges to one account, on {@code on} ({@code `db`.*}, the stored database name or
     * pattern, or {@code `db`.`table`}).
     */
    record Grant(String user, String host, String on, Set<String> privileges) {
        String account() {
            return literal(user) + "@" + literal(host);
        }

        String revoke() {
            return "REVOKE " + String.join(", ", privileges) + " ON " + on + " FROM " + account();
        }

        String undo() {
            return "GRANT " + String.join(", ", privileges) + " ON " + on + " TO " + account();
        }
    }

    /**
     * What {@link #read} found: the grants a revoke of the user's own removes, and the ones it cannot (each a
     * sentence naming the grant and the fix).
     */
    record Found(List<Grant> grants, List<String> problems) {
    }

    /**
     * The write grants a revoke must remove so that {@code user} (every host) cannot write the captured tables:
     * database-level grants whose name is the captured database, and table-level grants on the captured tables.
     *
     * @throws IllegalStateException for a grant a revoke of the user's own cannot remove without touching more than
     *     the captured databases or other users: a database wildcard ({@code shop%}, or a {@code _} that matches
     *     another database too) covering a captured database, a column-level write grant, a write grant to PUBLIC
     * @throws SQLException when the grant tables cannot be read
     */
    static List<Grant> writeGrants(Connection blue, String user, List<TableId> tables) throws SQLException {
        Found found = read(blue, user, tables);
        if (!found.problems().isEmpty()) {
            throw new IllegalStateException(String.join("; ", found.problems()));
        }
        return found.grants();
    }

    /** As {@link #writeGrants}, collecting what cannot be revoked instead of throwing. */
    static Found read(Connection blue, String user, List<TableId> tables) throws SQLException {
        List<Grant> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<String> schemas = new TreeSet<>();
        tables.forEach(t -> schemas.add(t.schema()));
        for (String schema : schemas) {
            try (PreparedStatement ps = blue.prepareStatement("SELECT User, Host, Db, Insert_priv, Update_priv,"
                    + " Delete_priv, Drop_priv FROM mysql.db WHERE (BINARY User = ? OR (BINARY User = '" + PUBLIC + "'"
                    + " AND Host = '')) AND ? LIKE Db")) {
                ps.setString(1, user);
                ps.setString(2, schema);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Set<String> privileges = new LinkedHashSet<>();
                        for (int i = 0; i < WRITES.size(); i++) {
                            if ("Y".equals(rs.getString(4 + i))) {
                                privileges.add(WRITES.get(i));
                            }
                        }
                        if (privileges.isEmpty()) {
                            continue;
                        }
                        String db = rs.getString(3);
                        if (isPublic(rs.getString(1), rs.getString(2))) {
                            problems.add(publicProblem(privileges + " ON " + db + ".*"));
                            continue;
                        }
                        List<String> others = otherMatches(blue, db, schema);
                        if (!others.isEmpty()) {
                            problems.add("user " + user + " writes the captured database " + schema + " through the"
                                    + " wildcard grant ON `" + db + "`.* (" + privileges + "), which also matches "
                                    + others + "; revoking it would revoke those too: grant the user its writes on "
                                    + schema + ".* by name (an `_` in a database name is a wildcard unless escaped"
                                    + " as `\\_`)");
                            continue;
                        }
                        out.add(new Grant(rs.getString(1), rs.getString(2), D.quote(db) + ".*", privileges));
                    }
                }
            }
        }
        for (TableId t : tables) {
            try (PreparedStatement ps = blue.prepareStatement("SELECT User, Host, Table_priv, Column_priv FROM"
                    + " mysql.tables_priv WHERE (BINARY User = ? OR (BINARY User = '" + PUBLIC + "' AND Host = ''))"
                    + " AND BINARY Db = ? AND BINARY Table_name = ?")) {
                ps.setString(1, user);
                ps.setString(2, t.schema());
                ps.setString(3, t.name());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Set<String> privileges = writesIn(rs.getString(3));
                        Set<String> columns = writesIn(rs.getString(4));
                        boolean pub = isPublic(rs.getString(1), rs.getString(2));
                        if (!columns.isEmpty()) {
                            problems.add(rs.getString(1) + " holds column-level " + columns + " on blue " + t + "; the"
                                    + " cutover revokes table and database grants only: grant the writes on the whole"
                                    + " table, or revoke the column grants");
                        }
                        if (!privileges.isEmpty() && pub) {
                            problems.add(publicProblem(privileges + " ON " + t));
                        } else if (!privileges.isEmpty()) {
                            out.add(new Grant(rs.getString(1), rs.getString(2), D.table(t), privileges));
                        }
                    }
                }
            }
        }
        return new Found(out, problems);
    }

    /** MariaDB 10.11's PUBLIC role: user PUBLIC with an empty host (an account named PUBLIC has a host). */
    private static boolean isPublic(String user, String host) {
        return PUBLIC.equals(user) && (host == null || host.isEmpty());
    }

    private static String publicProblem(String what) {
        return "PUBLIC holds " + what + " on blue, so every account may write the captured tables and a revoke from the"
                + " application user would not stop it: REVOKE it from PUBLIC and grant the application user its own";
    }

    /** Databases other than {@code schema} that the grant pattern {@code db} also matches. */
    private static List<String> otherMatches(Connection blue, String db, String schema) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = blue.prepareStatement("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE"
                + " SCHEMA_NAME LIKE ? AND BINARY SCHEMA_NAME <> ? ORDER BY 1 LIMIT 5")) {
            ps.setString(1, db);
            ps.setString(2, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        if (out.isEmpty() && db.replace("\\_", "").replace("\\%", "").contains("%")) {
            out.add("every database created later whose name it matches");
        }
        return out;
    }

    /** The write privileges in a grant table's SET column ({@code Select,Insert,Update}). */
    private static Set<String> writesIn(String set) {
        Set<String> out = new LinkedHashSet<>();
        if (set == null || set.isEmpty()) {
            return out;
        }
        for (String p : set.split(",")) {
            String up = p.trim().toUpperCase(Locale.ROOT);
            if (WRITES.contains(up)) {
                out.add(up);
            }
        }
        return out;
    }

    /**
     * The pre-check: the application user has an account on blue, no global write privilege and no role (a revoke
     * per database would not stop either), its write grants are ones a revoke can remove ({@link #writeGrants}), and
     * the coordinator's account may see and kill other sessions (PROCESS; CONNECTION ADMIN or SUPER) and revoke those
     * grants (MariaDB's REVOKE needs GRANT OPTION and the privileges revoked: global INSERT, UPDATE, DELETE and DROP
     * WITH GRANT OPTION).
     *
     * @return a summary for the report
     * @throws IllegalStateException naming the problem and the fix
     * @throws SQLException when blue cannot be read
     */
    static String check(Connection blue, String user, String pipelineUser, List<TableId> tables) throws SQLException {
        List<String> hosts = new ArrayList<>();
        try (PreparedStatement ps = blue.prepareStatement("SELECT Host FROM mysql.user WHERE BINARY User = ?")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    hosts.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("blue user " + pipelineUser + " cannot read the grant tables (" + e.getMessage()
                    + "); the cutover reads and revokes the application user's grants: GRANT SELECT ON mysql.* TO the"
                    + " blue user", e);
        }
        if (hosts.isEmpty()) {
            throw new IllegalStateException("no account of user " + user + " (cutover.application-role) on blue");
        }
        List<String> global = new ArrayList<>();
        try (PreparedStatement ps = blue.prepareStatement("SELECT GRANTEE, PRIVILEGE_TYPE FROM"
                + " information_schema.USER_PRIVILEGES WHERE BINARY LEFT(GRANTEE, CHAR_LENGTH(?) + 3) ="
                + " BINARY CONCAT('''', ?, '''@') AND PRIVILEGE_TYPE IN ('INSERT', 'UPDATE', 'DELETE', 'DROP')")) {
            ps.setString(1, user);
            ps.setString(2, user);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    global.add(rs.getString(2) + " for " + rs.getString(1));
                }
            }
        }
        if (!global.isEmpty()) {
            throw new IllegalStateException("user " + user + " has global write privileges on blue (" + global + "); the"
                    + " cutover revokes writes on the captured databases and tables only, which would leave those: grant"
                    + " them per database (GRANT INSERT, UPDATE, DELETE ON db.* TO ...) instead of ON *.*");
        }
        try (PreparedStatement ps = blue.prepareStatement("SELECT Role FROM mysql.roles_mapping WHERE BINARY User = ?")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new IllegalStateException("user " + user + " holds role " + rs.getString(1) + " on blue; the"
                            + " cutover cannot make a role's privileges read-only for one user: grant the user its"
                            + " privileges directly and REVOKE the role");
                }
            }
        }
        List<Grant> grants = writeGrants(blue, user, tables);
        Set<String> own = new TreeSet<>();
        Set<String> grantable = new TreeSet<>();
        try (PreparedStatement ps = blue.prepareStatement("SELECT PRIVILEGE_TYPE, IS_GRANTABLE FROM"
                + " information_schema.USER_PRIVILEGES WHERE GRANTEE = CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@',"
                + " 1), '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                own.add(rs.getString(1));
                if ("YES".equals(rs.getString(2))) {
                    grantable.add(rs.getString(1));
                }
            }
        }
        List<String> missing = new ArrayList<>();
        if (!own.contains("PROCESS")) {
            missing.add("PROCESS (to see the application's sessions)");
        }
        if (!own.contains("SUPER") && !own.contains("CONNECTION ADMIN")) {
            missing.add("CONNECTION ADMIN (to kill them)");
        }
        List<String> notGrantable = WRITES.stream().filter(p -> !grantable.contains(p)).toList();
        if (!notGrantable.isEmpty()) {
            missing.add(String.join(", ", notGrantable) + " WITH GRANT OPTION (MariaDB's REVOKE needs the privileges it"
                    + " revokes)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("blue user " + pipelineUser + " lacks " + String.join("; ", missing)
                    + " as global privileges; GRANT them ON *.* for the cutover");
        }
        return "application user " + user + " has " + hosts.size() + " account(s) on blue (hosts " + hosts + "), "
                + grants.size() + " write grant(s) on the captured tables to revoke after the flip, no global write"
                + " privilege and no role; the coordinator may lock, revoke and kill sessions";
    }

    /** A MariaDB string literal: quotes and backslashes escaped. */
    static String literal(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
