package dev.bluegreen.core.dialect.mariadb;

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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads table definitions from a MariaDB server's {@code information_schema} (COLUMNS, STATISTICS,
 * TABLES). A {@link TableId}'s schema is the database. Each column's kind follows the encoding Debezium's
 * MariaDB connector gives it under bluegreen's capture settings (Debezium MariaDB connector documentation,
 * "Data type mappings"; {@code decimal.handling.mode=string}, {@code binary.handling.mode=bytes},
 * {@code time.precision.mode=adaptive_time_microseconds}), so that the copy (read over JDBC) and the
 * stream (decoded from the binlog) give the same canonical values:
 * <ul>
 *   <li>{@code tinyint} (also {@code tinyint(1)}, which Debezium sends as a number), {@code smallint},
 *       {@code tinyint unsigned}: INT16; {@code smallint unsigned}, {@code mediumint}, {@code int},
 *       {@code year}: INT32; {@code int unsigned}, {@code bigint}: INT64;</li>
 *   <li>{@code decimal}: NUMERIC; {@code float}: FLOAT32; {@code double}: FLOAT64; {@code bit(1)}:
 *       BOOLEAN;</li>
 *   <li>{@code char}, {@code varchar}, the {@code text} types and {@code set}: TEXT; {@code enum}: ENUM;
 *       {@code json} (MySQL's; MariaDB's is {@code longtext}): JSON;</li>
 *   <li>{@code binary}, {@code varbinary}, the {@code blob} types: BYTES;</li>
 *   <li>{@code date}: DATE; {@code time}: TIME; {@code datetime(p)}: TIMESTAMP with scale p;
 *       {@code timestamp(p)}: TIMESTAMPTZ (MariaDB stores it in UTC).</li>
 * </ul>
 * Anything else ({@code bigint unsigned}, whose values above 2^63 have no INT64 form, {@code bit(n>1)},
 * the spatial types, {@code inet6}, {@code uuid}) is UNSUPPORTED, which validation rejects by column. Not
 * thread-safe; the caller owns the connection.
 */
public final class MariaDbCatalog implements Catalog {

    private static final String TABLE = """
            SELECT TABLE_ROWS FROM information_schema.TABLES
            WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND TABLE_TYPE = 'BASE TABLE'""";

    private static final String COLUMNS = """
            SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, IS_GENERATED,
                   CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION
            FROM information_schema.COLUMNS
            WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
            ORDER BY ORDINAL_POSITION""";

    private static final String INDEXES = """
            SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME, NULLABLE, SUB_PART
            FROM information_schema.STATISTICS
            WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
            ORDER BY INDEX_NAME, SEQ_IN_INDEX""";

    private final Connection connection;

    /** Reads through the given connection, which the caller owns and closes. */
    public MariaDbCatalog(Connection connection) {
        this.connection = connection;
    }

    @Override
    public Optional<TableSchema> table(TableId id) throws SQLException {
        if (estimateRows(id) < 0) {
            return Optional.empty();
        }
        List<ColumnSchema> columns = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(COLUMNS)) {
            ps.setString(1, id.schema());
            ps.setString(2, id.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String extra = lower(rs.getString("EXTRA"));
                    boolean generated = "ALWAYS".equalsIgnoreCase(rs.getString("IS_GENERATED"))
                            || extra.contains("generated");
                    boolean hasDefault = rs.getString("COLUMN_DEFAULT") != null || extra.contains("auto_increment");
                    columns.add(new ColumnSchema(rs.getString("COLUMN_NAME"), type(rs),
                            "YES".equalsIgnoreCase(rs.getString("IS_NULLABLE")), hasDefault, generated));
                }
            }
        }
        Map<String, List<String>> indexColumns = new LinkedHashMap<>();
        Set<String> unique = new HashSet<>();
        Set<String> unusable = new HashSet<>();
        try (PreparedStatement ps = connection.prepareStatement(INDEXES)) {
            ps.setString(1, id.schema());
            ps.setString(2, id.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String index = rs.getString("INDEX_NAME");
                    indexColumns.computeIfAbsent(index, k -> new ArrayList<>()).add(rs.getString("COLUMN_NAME"));
                    if (rs.getInt("NON_UNIQUE") == 0) {
                        unique.add(index);
                    }
                    // a prefix index (SUB_PART) or a nullable column cannot identify a row
                    if (rs.getObject("SUB_PART") != null || "YES".equalsIgnoreCase(rs.getString("NULLABLE"))) {
                        unusable.add(index);
                    }
                }
            }
        }
        List<String> primaryKey = indexColumns.getOrDefault("PRIMARY", List.of());
        List<List<String>> uniqueKeys = new ArrayList<>();
        indexColumns.forEach((name, cols) -> {
            if (unique.contains(name) && !unusable.contains(name)) {
                uniqueKeys.add(cols);
            }
        });
        return Optional.of(new TableSchema(id, columns, primaryKey, uniqueKeys, false));
    }

    @Override
    public long estimateRows(TableId id) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(TABLE)) {
            ps.setString(1, id.schema());
            ps.setString(2, id.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return -1;
                }
                long rows = rs.getLong(1);
                return rs.wasNull() ? 0 : rows;
            }
        }
    }

    private static ColumnType type(ResultSet rs) throws SQLException {
        String data = lower(rs.getString("DATA_TYPE"));
        String full = lower(rs.getString("COLUMN_TYPE"));
        boolean unsigned = full.contains("unsigned");
        int length = intOr(rs, "CHARACTER_MAXIMUM_LENGTH");
        int precision = intOr(rs, "NUMERIC_PRECISION");
        int scale = intOr(rs, "NUMERIC_SCALE");
        int fraction = intOr(rs, "DATETIME_PRECISION");
        TypeKind kind;
        switch (data) {
            case "tinyint" -> kind = TypeKind.INT16;
            case "smallint" -> kind = unsigned ? TypeKind.INT32 : TypeKind.INT16;
            case "mediumint", "year" -> kind = TypeKind.INT32;
            case "int", "integer" -> kind = unsigned ? TypeKind.INT64 : TypeKind.INT32;
            case "bigint" -> kind = unsigned ? TypeKind.UNSUPPORTED : TypeKind.INT64;
            case "decimal", "numeric" -> {
                return new ColumnType(TypeKind.NUMERIC, full, -1, precision, scale, null);
            }
            case "float" -> kind = TypeKind.FLOAT32;
            case "double", "real" -> kind = TypeKind.FLOAT64;
            case "bit" -> kind = full.equals("bit(1)") ? TypeKind.BOOLEAN : TypeKind.UNSUPPORTED;
            case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "set" -> {
                return new ColumnType(TypeKind.TEXT, full, data.endsWith("char") ? length : -1, -1, -1, null);
            }
            case "enum" -> kind = TypeKind.ENUM;
            case "json" -> kind = TypeKind.JSON;
            case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob" -> kind = TypeKind.BYTES;
            case "date" -> kind = TypeKind.DATE;
            case "time" -> {
                return new ColumnType(TypeKind.TIME, full, -1, -1, fraction, null);
            }
            case "datetime" -> {
                return new ColumnType(TypeKind.TIMESTAMP, full, -1, -1, fraction, null);
            }
            case "timestamp" -> {
                return new ColumnType(TypeKind.TIMESTAMPTZ, full, -1, -1, fraction, null);
            }
            default -> kind = TypeKind.UNSUPPORTED;
        }
        return ColumnType.of(kind, full);
    }

    private static int intOr(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? -1 : (int) Math.min(Integer.MAX_VALUE, v);
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
