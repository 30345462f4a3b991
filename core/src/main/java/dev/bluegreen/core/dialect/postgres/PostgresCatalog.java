package dev.bluegreen.core.dialect.postgres;

import dev.bluegreen.core.dialect.Catalog;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.core.schema.TypeKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads table definitions from a PostgreSQL catalog ({@code pg_catalog}). Domains resolve to their
 * base type; arrays carry their element type. One instance per connection; not thread-safe.
 */
public final class PostgresCatalog implements Catalog {

    private static final String COLUMNS = """
            SELECT a.attname, a.attnotnull, a.atthasdef OR a.attidentity <> '' AS has_default,
                   a.attgenerated <> '' AS generated, a.atttypid, a.atttypmod,
                   format_type(a.atttypid, a.atttypmod) AS sql_name
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum""";

    private static final String TABLE = """
            SELECT c.oid, c.relkind, c.relispartition, c.relreplident
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')""";

    private static final String INDEXES = """
            SELECT i.indisprimary, i.indisunique, i.indisreplident,
                   array_agg(a.attname ORDER BY k.ord) AS cols,
                   bool_and(a.attnotnull) AS all_not_null,
                   i.indexprs IS NULL AND i.indpred IS NULL AS plain
            FROM pg_index i
            CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
            WHERE i.indrelid = ? AND (i.indisprimary OR i.indisunique)
            GROUP BY i.indexrelid, i.indisprimary, i.indisunique, i.indisreplident, i.indexprs, i.indpred""";

    private static final String TYPE = """
            SELECT t.typname, t.typtype, t.typbasetype, t.typtypmod, t.typelem, t.typcategory
            FROM pg_type t WHERE t.oid = ?""";

    private final Connection connection;
    private final Map<Long, TypeRow> types = new HashMap<>();

    /** Reads through the given connection, which the caller owns and closes. */
    public PostgresCatalog(Connection connection) {
        this.connection = connection;
    }

    /** Extra facts about a table that the schema record does not carry. */
    public record TableFacts(boolean partition, char replicaIdentity) {
    }

    /**
     * Reads a table or partitioned table.
     *
     * @return empty when no ordinary or partitioned table of that name exists
     * @throws SQLException when the catalog cannot be read
     */
    @Override
    public Optional<TableSchema> table(TableId id) throws SQLException {
        Optional<Relation> oid = relation(id);
        if (oid.isEmpty()) {
            return Optional.empty();
        }
        List<ColumnSchema> columns = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(COLUMNS)) {
            ps.setString(1, id.schema());
            ps.setString(2, id.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ColumnType type = type(rs.getLong("atttypid"), rs.getInt("atttypmod"), rs.getString("sql_name"));
                    columns.add(new ColumnSchema(rs.getString("attname"), type, !rs.getBoolean("attnotnull"),
                            rs.getBoolean("has_default"), rs.getBoolean("generated")));
                }
            }
        }
        List<String> pk = new ArrayList<>();
        List<List<String>> unique = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(INDEXES)) {
            ps.setLong(1, oid.get().oid());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> cols = List.of((String[]) rs.getArray("cols").getArray());
                    if (rs.getBoolean("indisprimary")) {
                        pk.addAll(cols);
                    }
                    if (rs.getBoolean("all_not_null") && rs.getBoolean("plain")) {
                        unique.add(cols);
                    }
                }
            }
        }
        return Optional.of(new TableSchema(id, columns, pk, unique, oid.get().partitioned()));
    }

    /**
     * Reads partition and replica-identity facts.
     *
     * @return empty when the table does not exist
     * @throws SQLException when the catalog cannot be read
     */
    public Optional<TableFacts> facts(TableId id) throws SQLException {
        return relation(id).map(r -> new TableFacts(r.partition(), r.replicaIdentity()));
    }

    /**
     * The planner's row estimate of a table (for a partitioned table, the sum over its leaf partitions):
     * {@code pg_class.reltuples}, a never-analysed relation counting 0.
     *
     * @return rows, or -1 when no pg_class row matched
     * @throws SQLException when the catalog cannot be read, or no relation has that name
     */
    @Override
    public long estimateRows(TableId id) throws SQLException {
        String name = PostgresDialect.INSTANCE.table(id);
        try (PreparedStatement ps = connection.prepareStatement("SELECT coalesce(sum(greatest(c.reltuples, 0)), -1)::bigint"
                + " FROM pg_class c WHERE c.oid = ?::regclass OR c.oid IN (SELECT relid FROM"
                + " pg_partition_tree(?::regclass) WHERE isleaf)")) {
            ps.setString(1, name);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** One pg_class row of an ordinary or partitioned table. */
    private record Relation(long oid, boolean partitioned, boolean partition, char replicaIdentity) {
    }

    private Optional<Relation> relation(TableId id) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(TABLE)) {
            ps.setString(1, id.schema());
            ps.setString(2, id.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Relation(rs.getLong("oid"), "p".equals(rs.getString("relkind")),
                        rs.getBoolean("relispartition"), rs.getString("relreplident").charAt(0)));
            }
        }
    }

    private ColumnType type(long oid, int typmod, String sqlName) throws SQLException {
        TypeRow t = typeRow(oid);
        if (t.typtype == 'd') {
            int baseMod = t.typtypmod >= 0 ? t.typtypmod : typmod;
            ColumnType base = type(t.typbasetype, baseMod, sqlName);
            return new ColumnType(base.kind(), sqlName, base.length(), base.precision(), base.scale(), base.element());
        }
        if (t.typcategory == 'A' && t.typelem != 0) {
            TypeRow e = typeRow(t.typelem);
            ColumnType element = type(t.typelem, typmod, e.typname);
            ColumnType elementByName = new ColumnType(element.kind(), e.typname, element.length(), element.precision(),
                    element.scale(), element.element());
            return new ColumnType(TypeKind.ARRAY, sqlName, -1, -1, -1, elementByName);
        }
        if (t.typtype == 'e') {
            return ColumnType.of(TypeKind.ENUM, sqlName);
        }
        TypeKind kind = PostgresTypes.kind(t.typname);
        int length = -1;
        int precision = -1;
        int scale = -1;
        if (typmod >= 0) {
            switch (kind) {
                case TEXT:
                    length = typmod - 4;
                    break;
                case NUMERIC:
                    precision = ((typmod - 4) >> 16) & 0xffff;
                    scale = (typmod - 4) & 0xffff;
                    break;
                case TIME: case TIMESTAMP: case TIMESTAMPTZ:
                    scale = typmod;
                    break;
                default:
                    break;
            }
        }
        return new ColumnType(kind, sqlName, length, precision, scale, null);
    }

    private TypeRow typeRow(long oid) throws SQLException {
        TypeRow cached = types.get(oid);
        if (cached != null) {
            return cached;
        }
        try (PreparedStatement ps = connection.prepareStatement(TYPE)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("type oid " + oid + " not found in pg_type");
                }
                TypeRow row = new TypeRow(rs.getString("typname"), rs.getString("typtype").charAt(0),
                        rs.getLong("typbasetype"), rs.getInt("typtypmod"), rs.getLong("typelem"),
                        rs.getString("typcategory").charAt(0));
                types.put(oid, row);
                return row;
            }
        }
    }

    private record TypeRow(String typname, char typtype, long typbasetype, int typtypmod, long typelem, char typcategory) {
    }
}
