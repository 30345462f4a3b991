package dev.bluegreen.sink.apply;

import java.sql.SQLException;

/**
 * Classifies PostgreSQL errors by SQLState (PostgreSQL manual, Appendix A "Error Codes"): the one
 * place that decides what is a bad row, what is worth retrying, and what is fatal.
 */
public final class SqlStates {

    private SqlStates() {
    }

    /**
     * True for errors about one row's data: class 22 (data exception, e.g. value too long, out of
     * range) and class 23 (integrity constraint violation). Such rows go to the dead-letter table.
     */
    public static boolean isRowError(SQLException e) {
        String s = e.getSQLState();
        return s != null && (s.startsWith("22") || s.startsWith("23"));
    }

    /**
     * True for errors a retry can cure: class 08 (connection exception), 40001 (serialization
     * failure), 40P01 (deadlock), 57P01..57P03 (server shutting down / cannot connect now), 53300
     * (too many connections).
     */
    public static boolean isRetriable(SQLException e) {
        String s = e.getSQLState();
        if (s == null) {
            return false;
        }
        return s.startsWith("08") || s.equals("40001") || s.equals("40P01") || s.startsWith("57P")
                || s.equals("53300");
    }
}
