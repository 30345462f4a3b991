package dev.bluegreen.cutover.parity.pushdown;

import dev.bluegreen.core.config.ColumnMapping;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.cutover.parity.ParityTable;
import dev.bluegreen.transform.TargetShape;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a table's chunk hashing can run inside the two servers, and the column pairing it then uses.
 * It can when the mapping is expressible in SQL on both sides as the same text: one green target, no
 * filter, no computed, merged, constant or split columns, only renames, drops and identity casts
 * ({@code bigint}, {@code integer}, {@code smallint}, {@code varchar}), and every column pair's text
 * output equal exactly when the canonical values are equal (same type family; integer widening; enum
 * to text; not {@code char(n)}, whose padding the text cast strips). The key must sort the same on both
 * sides without a collation: integers, numerics, dates and times, uuids, booleans, bytea. Stateless.
 *
 * @param blueKey blue key columns, in key order
 * @param greenKey green key columns, in the same order
 * @param blueColumns blue columns, paired by position with {@code greenColumns}
 * @param greenColumns the target's columns, in its order
 * @param blueTypes blue types by blue column
 * @param greenTypes green types by green column
 */
public record PushdownPlan(List<String> blueKey, List<String> greenKey, List<String> blueColumns,
                           List<String> greenColumns, Map<String, ColumnType> blueTypes,
                           Map<String, ColumnType> greenTypes) {

    private static final Set<String> IDENTITY_CASTS = Set.of("bigint", "integer", "smallint", "varchar");
    private static final Set<TypeKind> ORDERED_KEYS = EnumSet.of(TypeKind.INT16, TypeKind.INT32, TypeKind.INT64,
            TypeKind.NUMERIC, TypeKind.DATE, TypeKind.TIME, TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ, TypeKind.UUID,
            TypeKind.BOOLEAN, TypeKind.BYTES);

    /**
     * Either a plan or why there is none.
     *
     * @param plan the plan, or null
     * @param reason why pushdown is not possible, or null
     */
    public record Eligibility(PushdownPlan plan, String reason) {
    }

    public PushdownPlan {
        blueKey = List.copyOf(blueKey);
        greenKey = List.copyOf(greenKey);
        blueColumns = List.copyOf(blueColumns);
        greenColumns = List.copyOf(greenColumns);
        blueTypes = Map.copyOf(blueTypes);
        greenTypes = Map.copyOf(greenTypes);
    }

    /** Decides for one table. */
    public static Eligibility of(ParityTable table) {
        TableMapping m = table.mapping();
        if (table.transform().targets().size() != 1) {
            return no("the table is split into " + table.transform().targets().size() + " green tables");
        }
        if (m.filter() != null) {
            return no("the mapping has a filter");
        }
        if (!m.added().isEmpty()) {
            return no("the mapping adds computed, merged or constant columns");
        }
        Map<String, String> blueOf = new HashMap<>();
        for (var c : table.blueSchema().columns()) {
            ColumnMapping cm = m.columns().stream().filter(x -> x.blueColumn().equals(c.name())).findFirst().orElse(null);
            if (cm != null && cm.isSplit()) {
                return no("column " + c.name() + " is split");
            }
            if (cm != null && cm.cast() != null && !IDENTITY_CASTS.contains(cm.cast())) {
                return no("column " + c.name() + " has cast '" + cm.cast() + "', which SQL would have to reimplement");
            }
            if (cm == null || !cm.drop()) {
                blueOf.put(cm == null ? c.name() : cm.greenColumn(), c.name());
            }
        }
        return plan(table, table.transform().targets().get(0), blueOf);
    }

    private static Eligibility plan(ParityTable table, TargetShape shape, Map<String, String> blueOf) {
        Map<String, ColumnType> blueTypes = new HashMap<>();
        table.blueSchema().columns().forEach(c -> blueTypes.put(c.name(), c.type()));
        List<String> blueColumns = new ArrayList<>();
        for (String g : shape.columns()) {
            String b = blueOf.get(g);
            if (b == null) {
                return no("green column " + g + " has no single blue column");
            }
            ColumnType bt = blueTypes.get(b);
            ColumnType gt = shape.columnTypes().get(g);
            if (!sameText(bt, gt)) {
                return no("column " + b + " (" + bt.sqlName() + ") and " + g + " (" + gt.sqlName()
                        + ") do not have the same text form");
            }
            blueColumns.add(b);
        }
        List<String> blueKey = table.transform().blueKeyColumns();
        for (String k : blueKey) {
            if (!ORDERED_KEYS.contains(blueTypes.get(k).kind())) {
                return no("key column " + k + " is " + blueTypes.get(k).sqlName()
                        + ", whose order depends on the collation");
            }
        }
        return new Eligibility(new PushdownPlan(blueKey, shape.keyColumns(), blueColumns, shape.columns(), blueTypes,
                shape.columnTypes()), null);
    }

    /** True when {@code value::text} is equal on both sides exactly when the canonical values are. */
    static boolean sameText(ColumnType blue, ColumnType green) {
        if (blue.kind().isInteger() && green.kind().isInteger()) {
            return true;
        }
        if (blue.kind() == TypeKind.ENUM && green.kind() == TypeKind.TEXT) {
            return !padded(green);
        }
        if (blue.kind() != green.kind() || blue.kind() == TypeKind.UNSUPPORTED) {
            return false;
        }
        switch (blue.kind()) {
            case TEXT:
                return !padded(blue) && !padded(green);
            case FLOAT32: case FLOAT64:
                return blue.sqlName().equals(green.sqlName());
            case ARRAY:
                return sameText(blue.element(), green.element());
            default:
                return true;
        }
    }

    private static boolean padded(ColumnType t) {
        String n = t.sqlName();
        return n.equals("character") || n.startsWith("character(") || n.equals("bpchar") || n.startsWith("bpchar(");
    }

    private static Eligibility no(String reason) {
        return new Eligibility(null, reason);
    }
}
