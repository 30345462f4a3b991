package dev.bluegreen.core.config;

import static java.util.Objects.requireNonNull;

/**
 * A database endpoint (blue or green).
 *
 * @param jdbcUrl JDBC URL, e.g. {@code jdbc:postgresql://127.0.0.1:55432/app}
 * @param user login role
 * @param password password after {@code ${VAR}} substitution; may be empty, never logged
 */
public record EndpointConfig(String jdbcUrl, String user, String password) {

    public EndpointConfig {
        requireNonNull(jdbcUrl, "jdbcUrl is null");
        requireNonNull(user, "user is null");
        password = password == null ? "" : password;
    }

    /** Host name parsed from a {@code jdbc:postgresql://host:port/db} URL. */
    public String host() {
        return hostPort()[0];
    }

    /** Port parsed from the URL (5432 when absent). */
    public int port() {
        String p = hostPort()[1];
        return p.isEmpty() ? 5432 : Integer.parseInt(p);
    }

    /** Database name parsed from the URL. */
    public String database() {
        String rest = jdbcUrl.substring(jdbcUrl.indexOf("//") + 2);
        int slash = rest.indexOf('/');
        String db = slash < 0 ? "" : rest.substring(slash + 1);
        int q = db.indexOf('?');
        return q < 0 ? db : db.substring(0, q);
    }

    private String[] hostPort() {
        int start = jdbcUrl.indexOf("//");
        if (start < 0) {
            throw new IllegalStateException("JDBC URL has no '//host': " + jdbcUrl);
        }
        String rest = jdbcUrl.substring(start + 2);
        int slash = rest.indexOf('/');
        String hp = slash < 0 ? rest : rest.substring(0, slash);
        int colon = hp.lastIndexOf(':');
        return colon < 0 ? new String[] {hp, ""} : new String[] {hp.substring(0, colon), hp.substring(colon + 1)};
    }

    /** Masks the password. */
    @Override
    public String toString() {
        return "EndpointConfig[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "****") + "]";
    }
}
