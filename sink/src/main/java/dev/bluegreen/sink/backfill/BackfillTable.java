package dev.bluegreen.sink.backfill;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.config.ColumnMapping;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.dialect.postgres.PostgresDialect;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TableSchema;
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
        this.blue = requireNonNull(blue, "blue is null");
        this.mapping = requireNonNull(mapping, "mapping is null");
        this.transform = requireNonNull(transform, "transform is null");
        List<String> cols = new ArrayList<>();
        this.pipeReason = pipeReason(cols);
        this.pipeColumns = pipeReason == null ? List.copyOf(cols) : null;
    }

    private String pipeReason(List<String> blueColumnsOut) {
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
        keyColumns().forEach(k -> j.add(PostgresDialect.INSTANCE.quote(k)));
        return j.toString();
    }

    /** {@code (k1, k2)} quoted. */
    String keyTuple() {
        return "(" + keyOrder() + ")";
    }

    private String literalTuple(List<String> values) {
        StringJoiner j = new StringJoiner(", ", "(", ")");
        List<String> keys = keyColumns();
        for (int i = 0; i < keys.size(); i++) {
            j.add("CAST(" + PostgresDialect.INSTANCE.literal(values.get(i)) + " AS " + blueType(keys.get(i)).sqlName()
                    + ")");
        }
        return j.toString();
    }
}
