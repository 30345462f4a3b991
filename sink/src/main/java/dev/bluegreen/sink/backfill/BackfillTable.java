package dev.bluegreen.sink.backfill;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.config.ColumnMapping;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.dialect.SqlDialect;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.transform.RowTransform;
import dev.bluegreen.transform.TargetShape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * One blue table to copy: its catalog entry, mapping and compiled transform, and whether its rows can
 * be piped unchanged (binary COPY out of blue straight into binary COPY into green). They can when the
 * mapping has one target, no filter, no computed/merged/constant columns, no casts and no splits, and
 * every green column comes from a blue column of exactly the same type: then the transform is a pure
 * projection and PostgreSQL's binary send/receive formats carry each value unchanged. Immutable.
 */
public final class BackfillTable {

    private final TableSchema blue;
    private final Engine blueEngine;
    private final SqlDialect blueSql;
    private final TableMapping mapping;
    private final RowTransform transform;
    private final List<String> pipeColumns;
    private final String pipeReason;

    /**
     * @param blue blue's catalog entry
     * @param mapping the table's mapping from the config
     * @param transform its compiled transform (the sink's)
     */
    public BackfillTable(TableSchema blue, TableMapping mapping, RowTransform transform) {
        this(Engine.POSTGRESQL, blue, mapping, transform);
    }

    /**
     * @param blueEngine blue's engine: it fixes how chunks are read (binary COPY on PostgreSQL, a streaming
     *     select on MariaDB) and how their bounds are written
     * @param blue blue's catalog entry
     * @param mapping the table's mapping from the config
     * @param transform its compiled transform (the sink's)
     */
    public BackfillTable(Engine blueEngine, TableSchema blue, TableMapping mapping, RowTransform transform) {
        this.blueEngine = requireNonNull(blueEngine, "blueEngine is null");
        this.blueSql = blueEngine.dialect();
        this.blue = requireNonNull(blue, "blue is null");
        this.mapping = requireNonNull(mapping, "mapping is null");
        this.transform = requireNonNull(transform, "transform is null");
        List<String> cols = new ArrayList<>();
        this.pipeReason = pipeReason(cols);
        this.pipeColumns = pipeReason == null ? List.copyOf(cols) : null;
    }

    private String pipeReason(List<String> blueColumnsOut) {
        if (blueEngine != Engine.POSTGRESQL) {
            return "blue is " + blueEngine.displayName() + ", whose rows are read over JDBC";
        }
        if (transform.targets().size() != 1) {
            return "the table is split into " + transform.targets().size() + " green tables";
        }
        if (mapping.filter() != null) {
            return "the mapping has a filter";
        }
        if (!mapping.added().isEmpty()) {
            return "the mapping adds computed, merged or constant columns";
        }
        Map<String, String> blueOfGreen = new HashMap<>();
        for (ColumnSchema c : blue.columns()) {
            ColumnMapping cm = mapping.columns().stream().filter(x -> x.blueColumn().equals(c.name())).findFirst()
                    .orElse(null);
            if (cm != null && cm.drop()) {
                continue;
            }
            if (cm != null && (cm.isSplit() || cm.cast() != null)) {
                return "column " + c.name() + (cm.isSplit() ? " is split" : " has a cast");
            }
            blueOfGreen.put(cm == null ? c.name() : cm.greenColumn(), c.name());
        }
        TargetShape target = transform.targets().get(0);
        for (String g : target.columns()) {
            String b = blueOfGreen.get(g);
            if (b == null) {
                return "green column " + g + " has no blue column of its own";
            }
            ColumnType bt = blue.column(b).orElseThrow().type();
            ColumnType gt = target.columnTypes().get(g);
            if (!bt.sqlName().equals(gt.sqlName())) {
                return "column " + b + " is " + bt.sqlName() + " on blue but " + gt.sqlName() + " on green";
            }
            blueColumnsOut.add(b);
        }
        return null;
    }

    /** Blue's engine. */
    public Engine blueEngine() {
        return blueEngine;
    }

    /** Blue's dialect (quoting of identifiers and literals). */
    public SqlDialect blueSql() {
        return blueSql;
    }

    /** The blue table. */
    public TableId id() {
        return blue.id();
    }

    /** Blue's catalog entry. */
    public TableSchema blueSchema() {
        return blue;
    }

    /** The compiled transform. */
    public RowTransform transform() {
        return transform;
    }

    /** Blue key columns, in key order. */
    public List<String> keyColumns() {
        return transform.blueKeyColumns();
    }

    /** The blue type of a column. */
    public ColumnType blueType(String column) {
        return blue.column(column).orElseThrow(() -> new IllegalArgumentException("no blue column " + column)).type();
    }

    /** True when rows can be piped unchanged (see the class comment). */
    public boolean pipeable() {
        return pipeColumns != null;
    }

    /** Why rows cannot be piped, or null when they can. */
    public String pipeReason() {
        return pipeReason;
    }

    /** For the pipe: the blue columns in the green target's column order. */
    public List<String> pipeColumns() {
        return pipeColumns;
    }

    /**
     * The key-range predicate of a chunk, with the bounds inlined as literals cast to the key types
     * (COPY takes no parameters), or {@code TRUE} for a one-chunk table. Row comparison keeps
     * composite keys in index order.
     */
    public String rangePredicate(Chunk chunk) {
        StringJoiner where = new StringJoiner(" AND ");
        if (chunk.lower() != null) {
            where.add(keyTuple() + " >= " + literalTuple(chunk.lower()));
        }
        if (chunk.upper() != null) {
            where.add(keyTuple() + " < " + literalTuple(chunk.upper()));
        }
        return where.length() == 0 ? "TRUE" : where.toString();
    }

    /** The key columns quoted, comma-separated, for {@code ORDER BY}. */
    public String keyOrder() {
        StringJoiner j = new StringJoiner(", ");
        keyColumns().forEach(k -> j.add(blueSql.quote(k)));
        return j.toString();
    }

    /**
     * The expression that reads a key column as the text of a chunk bound: {@code k::text} on PostgreSQL;
     * on MariaDB the column itself, or {@code HEX(k)} for a binary column (its bytes are not text).
     */
    public String boundExpression(String keyColumn) {
        String q = blueSql.quote(keyColumn);
        if (blueEngine == Engine.POSTGRESQL) {
            return q + "::text";
        }
        return blueType(keyColumn).kind() == TypeKind.BYTES ? "HEX(" + q + ")" : q;
    }

    /** {@code (k1, k2)} quoted. */
    String keyTuple() {
        return "(" + keyOrder() + ")";
    }

    private String literalTuple(List<String> values) {
        StringJoiner j = new StringJoiner(", ", "(", ")");
        List<String> keys = keyColumns();
        for (int i = 0; i < keys.size(); i++) {
            j.add(boundLiteral(values.get(i), blueType(keys.get(i))));
        }
        return j.toString();
    }

    /**
     * A bound as SQL. PostgreSQL: a literal cast to the key's type. MariaDB has no cast to most column
     * types; it compares a quoted literal with a column in the column's type, except that a number column
     * against a string compares as DOUBLE (https://mariadb.com/kb/en/type-conversion/), which loses digits:
     * so numbers go unquoted (after a check that they are numbers), binary keys as {@code X'hex'}, the rest
     * quoted.
     */
    private String boundLiteral(String value, ColumnType type) {
        if (blueEngine == Engine.POSTGRESQL) {
            return "CAST(" + blueSql.literal(value) + " AS " + type.sqlName() + ")";
        }
        if (type.kind().isInteger() || type.kind() == TypeKind.NUMERIC) {
            return new java.math.BigDecimal(value).toPlainString();
        }
        if (type.kind() == TypeKind.BYTES) {
            if (!value.matches("[0-9A-Fa-f]*")) {
                throw new IllegalArgumentException("binary chunk bound is not hex: " + value);
            }
            return "X'" + value + "'";
        }
        return blueSql.literal(value);
    }
}
