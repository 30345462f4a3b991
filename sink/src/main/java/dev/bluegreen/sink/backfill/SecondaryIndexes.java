package dev.bluegreen.sink.backfill;

import dev.bluegreen.core.dialect.postgres.PostgresDialect;
import dev.bluegreen.core.event.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Green's secondary indexes for {@code indexes: build-after}: the indexes of a target that back no
 * constraint (not the primary key, not a unique or exclusion constraint) and are not unique, so dropping
 * them for the copy can neither let a duplicate in nor break the sink's {@code ON CONFLICT} target.
 * Building one index over the finished table is cheaper than maintaining it for every copied row (the
 * reason pg_restore and pgcopydb build indexes after the data). Stateless.
 */
final class SecondaryIndexes {

    private SecondaryIndexes() {
    }

    /** The droppable indexes of a green table, with their {@code pg_get_indexdef} definitions. */
    static List<BackfillStore.DroppedIndex> of(Connection green, TableId table) throws SQLException {
        List<BackfillStore.DroppedIndex> out = new ArrayList<>();
        try (PreparedStatement ps = green.prepareStatement("SELECT i.relname, pg_get_indexdef(x.indexrelid)"
                + " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
                + " WHERE x.indrelid = CAST(? AS regclass) AND NOT x.indisprimary AND NOT x.indisunique"
                + " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)"
                + " ORDER BY i.relname")) {
            ps.setString(1, PostgresDialect.INSTANCE.table(table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new BackfillStore.DroppedIndex(table, rs.getString(1), rs.getString(2)));
                }
            }
        }
        return out;
    }

    /** Drops one (in the caller's transaction). */
    static void drop(Connection green, BackfillStore.DroppedIndex index) throws SQLException {
        try (Statement st = green.createStatement()) {
            st.execute("DROP INDEX " + PostgresDialect.INSTANCE.quote(index.table().schema()) + "."
                    + PostgresDialect.INSTANCE.quote(index.name()));
        }
    }

    /** Builds one from its definition; a leftover of an interrupted build is dropped first. */
    static void build(Connection green, BackfillStore.DroppedIndex index) throws SQLException {
        try (Statement st = green.createStatement()) {
            st.execute("DROP INDEX IF EXISTS " + PostgresDialect.INSTANCE.quote(index.table().schema()) + "."
                    + PostgresDialect.INSTANCE.quote(index.name()));
            st.execute(index.definition());
        }
    }
}
