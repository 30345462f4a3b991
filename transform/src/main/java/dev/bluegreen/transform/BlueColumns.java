package dev.bluegreen.transform;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.config.Location;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.core.schema.TypeKind;
import java.util.Optional;

/**
 * Resolves blue column names used by a mapping against the blue table, reporting unknown names with
 * the closest existing one. Not thread-safe; one per compilation.
 */
final class BlueColumns {

    private final TableSchema table;
    private final CompileProblems problems;

    BlueColumns(TableSchema table, CompileProblems problems) {
        this.table = requireNonNull(table, "table is null");
        this.problems = requireNonNull(problems, "problems is null");
    }

    TableSchema table() {
        return table;
    }

    /**
     * The column of that name, or empty after reporting that blue has none.
     *
     * @param usedIn where the name appears, for the message ({@code columns}, {@code key}, {@code filter} ...)
     */
    Optional<ColumnSchema> require(String name, Location at, String usedIn) {
        Optional<ColumnSchema> c = table.column(name);
        if (c.isEmpty()) {
            problems.add(at, "blue table " + table.id() + " has no column '" + name + "' (used in " + usedIn + ")"
                    + CompileProblems.didYouMean(name, table.columnNames()));
        }
        return c;
    }

    /** Like {@link #require}, and also reports a column whose type has no canonical value form. */
    Optional<ColumnSchema> readable(String name, Location at, String usedIn) {
        Optional<ColumnSchema> c = require(name, at, usedIn);
        if (c.isPresent() && c.get().type().kind() == TypeKind.UNSUPPORTED) {
            problems.add(at, "blue column '" + name + "' has type " + c.get().type().sqlName() + ", which bluegreen does"
                    + " not support, so " + usedIn + " cannot read it; drop the column (columns: {" + name + ": drop})");
            return Optional.empty();
        }
        return c;
    }
}
