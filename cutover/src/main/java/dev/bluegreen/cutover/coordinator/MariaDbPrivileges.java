package dev.bluegreen.cutover.coordinator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The roles pre-check for a MariaDB blue: what {@link MariaDbFreeze} needs to make the application's user
 * read-only on blue, and to be sure it worked. Stateless.
 */
final class MariaDbPrivileges {

    /** The current account as information_schema writes a GRANTEE: {@code 'user'@'host'}. */
    private static final String CURRENT_GRANTEE = "CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''',"
            + " SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')";

    private MariaDbPrivileges() {
    }

    /**
     * Checks that the application user has at least one account on blue, holds no global write privilege (a
     * revoke per database would not stop it) and no role (a role's privileges survive the revoke), and that the
     * coordinator's account may see and kill other sessions (PROCESS; CONNECTION ADMIN or SUPER) and revoke grants
     * (GRANT OPTION).
     *
     * @return a summary for the report
     * @throws IllegalStateException naming the problem and the fix
     * @throws SQLException when blue cannot be read
     */
    static String check(Connection blue, String user, String pipelineUser) throws SQLException {
        Set<String> accounts = new TreeSet<>();
        List<String> globalWrites = new ArrayList<>();
        try (PreparedStatement ps = blue.prepareStatement("SELECT GRANTEE, PRIVILEGE_TYPE FROM"
                + " information_schema.USER_PRIVILEGES WHERE " + MariaDbFreeze.Accounts.GRANTEE_IS_USER)) {
            MariaDbFreeze.Accounts.bindUser(ps, 1, user);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    accounts.add(rs.getString(1));
                    if (Set.of("INSERT", "UPDATE", "DELETE").contains(rs.getString(2))) {
                        globalWrites.add(rs.getString(2) + " for " + rs.getString(1));
                    }
                }
            }
        }
        if (accounts.isEmpty()) {
            throw new IllegalStateException("no account of user " + user + " (cutover.application-role) on blue, or the"
                    + " blue user " + pipelineUser + " cannot see it (it needs SELECT on the mysql database, or CREATE"
                    + " USER)");
        }
        if (!globalWrites.isEmpty()) {
            throw new IllegalStateException("user " + user + " has global write privileges on blue (" + globalWrites
                    + "); the cutover revokes writes on the pipeline's databases and tables only, which would leave"
                    + " those: grant them per database (GRANT INSERT, UPDATE, DELETE ON db.* TO ...) instead of ON *.*");
        }
        try (PreparedStatement ps = blue.prepareStatement("SELECT Role FROM mysql.roles_mapping WHERE User = ?")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new IllegalStateException("user " + user + " holds role " + rs.getString(1) + " on blue; the"
                            + " cutover cannot make a role's privileges read-only for one user: grant the user its"
                            + " privileges directly and REVOKE the role");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read mysql.roles_mapping on blue as " + pipelineUser + " ("
                    + e.getMessage() + "); the cutover checks that the application user holds no role: GRANT SELECT ON"
                    + " mysql.roles_mapping TO the blue user", e);
        }
        Set<String> own = new TreeSet<>();
        boolean grantOption = false;
        try (PreparedStatement ps = blue.prepareStatement("SELECT PRIVILEGE_TYPE, IS_GRANTABLE FROM"
                + " information_schema.USER_PRIVILEGES WHERE GRANTEE = " + CURRENT_GRANTEE);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                own.add(rs.getString(1));
                grantOption |= "YES".equals(rs.getString(2));
            }
        }
        List<String> missing = new ArrayList<>();
        if (!own.contains("PROCESS")) {
            missing.add("PROCESS (to see the application's sessions)");
        }
        if (!own.contains("SUPER") && !own.contains("CONNECTION ADMIN")) {
            missing.add("CONNECTION ADMIN (to kill them)");
        }
        if (!grantOption) {
            missing.add("GRANT OPTION (to revoke the application's writes)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("blue user " + pipelineUser + " lacks " + String.join(", ", missing)
                    + " as global privileges; GRANT them ON *.* for the cutover");
        }
        return "application user " + user + " has " + accounts.size() + " account(s) on blue " + accounts + ", no global"
                + " write privilege and no role; the coordinator may lock, revoke and kill sessions";
    }
}
