package dev.bluegreen.transform;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.config.AddedColumn;
import dev.bluegreen.core.config.ColumnMapping;
import dev.bluegreen.core.config.Location;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.core.value.CanonicalValues;
import dev.bluegreen.transform.cast.Cast;
import dev.bluegreen.transform.cast.CastOptions;
import dev.bluegreen.transform.expr.RowExpression;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the column rules of one mapping: a copy (passthrough, rename, cast) or split per blue column
 * that is not dropped, in blue ordinal order, then the added columns (expression, merge, constant) in
 * declaration order. Checks every green column produced exactly once, every cast and type pair and
 * every constant. Not thread-safe; one per compilation.
 */
final class RuleCompiler {

    private final TableMapping mapping;
    private final BlueColumns blue;
    private final GreenPlacement green;
    private final CompileProblems problems;
    private final Map<String, ColumnRule> producers = new LinkedHashMap<>();
    private final Map<String, Location> producedAt = new HashMap<>();

    RuleCompiler(TableMapping mapping, BlueColumns blue, GreenPlacement green, CompileProblems problems) {
        this.mapping = requireNonNull(mapping, "mapping is null");
        this.blue = requireNonNull(blue, "blue is null");
        this.green = requireNonNull(green, "green is null");
        this.problems = requireNonNull(problems, "problems is null");
    }

    /**
     * @param greenKey green names of the key columns
     * @return every produced green column with its rule, in rule order
     */
    Map<String, ColumnRule> compile(List<String> greenKey) {
        Map<String, ColumnMapping> byBlue = new HashMap<>();
        mapping.columns().forEach(c -> byBlue.put(c.blueColumn(), c));
        for (ColumnSchema c : blue.table().columns()) {
            ColumnMapping cm = byBlue.get(c.name());
            if (cm == null) {
                copy(c, c.name(), null, Map.of(), mapping.location(), true, greenKey);
            } else if (cm.isSplit()) {
                split(c, cm);
            } else if (!cm.drop()) {
                copy(c, cm.greenColumn(), cm.cast(), cm.castOptions(), cm.location(), false, greenKey);
            }
        }
        mapping.added().forEach(this::added);
        return producers;
    }

    private void copy(ColumnSchema c, String greenName, String castName, Map<String, String> options, Location at,
                      boolean passthrough, List<String> greenKey) {
        String ifMissing = passthrough ? "; blue column '" + c.name() + "' is copied under its own name because the"
                + " mapping does not mention it: map it (columns: {" + c.name() + ": <green name>}) or drop it"
                + " (columns: {" + c.name() + ": drop})" : "";
        Optional<ColumnSchema> gc = green.place(greenName, at, greenKey.contains(greenName), ifMissing);
        if (gc.isEmpty()) {
            return;
        }
        ColumnType gt = gc.get().type();
        Cast cast = castName == null ? null : Cast.byName(castName);
        if (castName != null && cast == null) {
            problems.add(at, "unknown cast '" + castName + "'");
            return;
        }
        String mismatch = cast == null ? TypeCompatibility.check(c.type(), gt) : cast.check(c.type(), gt);
        if (mismatch != null) {
            problems.add(at, "column '" + c.name() + "' -> '" + greenName + "': " + mismatch);
            return;
        }
        int before = problems.count();
        Cast.Options resolved = CastOptions.resolve(cast, c.name(), c.type(), options, m -> problems.add(at, m));
        if (problems.count() == before) {
            produce(greenName, new ColumnRule.Copy(c.name(), greenName, cast, resolved, gt), at);
        }
    }

    private void split(ColumnSchema c, ColumnMapping cm) {
        if (c.type().kind() != TypeKind.TEXT) {
            problems.add(cm.location(), "only text columns can be split; '" + c.name() + "' is " + c.type().sqlName()
                    + "; compute the parts with 'add: {<column>: {expr: ...}}' instead");
            return;
        }
        if (cm.splitSeparator() == null || cm.splitSeparator().isEmpty() || cm.splitInto().size() < 2) {
            problems.add(cm.location(), "a split needs 'into' with two or more green columns and a non-empty 'separator'");
            return;
        }
        for (String g : cm.splitInto()) {
            Optional<ColumnSchema> gc = green.place(g, cm.location(), false, "");
            if (gc.isPresent() && gc.get().type().kind() != TypeKind.TEXT) {
                problems.add(cm.location(), "split part '" + g + "' must be a text column in green, not "
                        + gc.get().type().sqlName());
            }
        }
        ColumnRule.Split rule = new ColumnRule.Split(c.name(), cm.splitInto(), cm.splitSeparator());
        cm.splitInto().forEach(g -> produce(g, rule, cm.location()));
    }

    private void added(AddedColumn a) {
        Optional<ColumnSchema> gc = green.place(a.greenColumn(), a.location(), false, "");
        if (gc.isEmpty()) {
            return;
        }
        if (a.expr() != null) {
            computed(a, gc.get().type());
        } else if (!a.merge().isEmpty()) {
            merged(a, gc.get().type());
        } else {
            constant(a, gc.get());
        }
    }

    private void computed(AddedColumn a, ColumnType type) {
        RowExpression e;
        try {
            e = RowExpression.compile(a.expr(), "add." + a.greenColumn());
        } catch (IllegalArgumentException ex) {
            problems.add(a.location(), ex.getMessage());
            return;
        }
        int before = problems.count();
        e.variables().forEach(v -> blue.readable(v, a.location(), "expr '" + a.expr() + "'"));
        if (problems.count() == before) {
            produce(a.greenColumn(), new ColumnRule.Computed(e, a.greenColumn(), type), a.location());
        }
    }

    private void merged(AddedColumn a, ColumnType type) {
        int before = problems.count();
        a.merge().forEach(v -> blue.readable(v, a.location(), "merge"));
        if (type.kind() != TypeKind.TEXT) {
            problems.add(a.location(), "a merge writes text, but green column '" + a.greenColumn() + "' is "
                    + type.sqlName() + "; use an expression ('expr') to build a value of that type");
        }
        if (problems.count() == before) {
            produce(a.greenColumn(), new ColumnRule.Merge(a.merge(), a.separator(), a.greenColumn(), type), a.location());
        }
    }

    private void constant(AddedColumn a, ColumnSchema column) {
        ColumnType type = column.type();
        Object value;
        try {
            value = Conversions.toCanonical(a.value(), type);
        } catch (RowConversionException e) {
            Class<?> form = CanonicalValues.javaClass(type.kind());
            problems.add(a.location(), "constant for '" + a.greenColumn() + "': " + e.getMessage()
                    + (form == null ? "" : "; write a constant that converts exactly to " + form.getSimpleName())
                    + " (numbers, true/false, text; ISO-8601 text for dates and times)");
            return;
        }
        Optional<String> misfit = CanonicalValues.checkFits(value, type);
        if (misfit.isPresent()) {
            problems.add(a.location(), "constant for '" + a.greenColumn() + "': " + misfit.get());
        } else if (value == null && !column.nullable()) {
            problems.add(a.location(), "constant for '" + a.greenColumn() + "' is null, but the green column is NOT NULL;"
                    + " give a value");
        } else {
            produce(a.greenColumn(), new ColumnRule.Constant(a.greenColumn(), value), a.location());
        }
    }

    private void produce(String greenName, ColumnRule rule, Location at) {
        ColumnRule earlier = producers.get(greenName);
        if (earlier != null && earlier != rule) {
            problems.add(at, "green column '" + greenName + "' is produced twice (also by " + earlier.source() + " at "
                    + producedAt.get(greenName).path() + "); each green column needs exactly one source: rename or"
                    + " drop one of them");
            return;
        }
        producers.put(greenName, rule);
        producedAt.putIfAbsent(greenName, at);
    }
}
