package dev.bluegreen.cutover.parity.sql;

import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.schema.ColumnType;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** A key range {@code (after, upTo]} as a WHERE clause; a null bound is open. Stateless. */
public final class RangeSql {

    private RangeSql() {
    }

    /** {@code " WHERE ..."} or {@code ""} when both bounds are open. */
    public static String where(List<String> key, Map<String, ColumnType> types, Row after, Row upTo) {
        if (after == null && upTo == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" WHERE ");
        if (after != null) {
            sb.append(KeySql.after(key, types));
        }
        if (upTo != null) {
            sb.append(after != null ? " AND " : "").append(KeySql.atMost(key, types));
        }
        return sb.toString();
    }

    /**
     * Binds the bounds from parameter 1 on.
     *
     * @return the next free parameter index
     */
    public static int bind(PreparedStatement ps, List<String> key, Map<String, ColumnType> types, Row after, Row upTo)
            throws SQLException {
        int i = 1;
        if (after != null) {
            i = KeySql.bindKey(ps, i, after, key, types);
        }
        if (upTo != null) {
            i = KeySql.bindKey(ps, i, upTo, key, types);
        }
        return i;
    }
}
