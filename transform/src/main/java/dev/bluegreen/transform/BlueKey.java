package dev.bluegreen.transform;

import dev.bluegreen.core.config.ColumnMapping;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.schema.TableSchema;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Resolves the blue key of a mapping: the declared {@code key}, which a unique index must back, else
 * the primary key. Keys order changes per row, make upserts idempotent and route events to partitions,
 * so a table without one is refused with the DDL that fixes it. Stateless.
 */
final class BlueKey {

    private BlueKey() {
    }

    /**
     * @return the blue key columns in key order, or an empty list after reporting why there is none
     */
    static List<String> resolve(TableMapping m, BlueColumns blue, CompileProblems problems) {
        TableSchema t = blue.table();
        List<String> key = m.key().isEmpty() ? t.primaryKey() : m.key();
        if (key.isEmpty()) {
            problems.add(m.location(), "blue table " + m.blue() + " has no primary key, and bluegreen needs a key to keep"
                    + " per-row order and apply idempotently. Add one on blue: ALTER TABLE " + m.blue()
                    + " ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY; or declare 'key: [columns]'"
                    + " backed by a unique index on NOT NULL columns: CREATE UNIQUE INDEX " + t.id().name()
                    + "_key ON " + m.blue() + " (columns)");
            return List.of();
        }
        int before = problems.count();
        key.forEach(k -> blue.readable(k, m.location(), "key"));
        if (new HashSet<>(key).size() != key.size()) {
            problems.add(m.location(), "key " + key + " names a column twice; list each key column once");
        }
        if (!m.key().isEmpty() && problems.count() == before && !backed(t, key)) {
            problems.add(m.location(), "declared key " + key + " of " + m.blue() + " is not backed by the primary key or"
                    + " a unique index on NOT NULL columns; create one on blue: CREATE UNIQUE INDEX " + t.id().name()
                    + "_" + String.join("_", key) + "_key ON " + m.blue() + " (" + String.join(", ", key) + ")"
                    + " (and make the columns NOT NULL)");
        }
        for (ColumnMapping c : m.columns()) {
            if (key.contains(c.blueColumn()) && (c.drop() || c.isSplit())) {
                problems.add(c.location(), "key column '" + c.blueColumn() + "' may be renamed or cast, but not "
                        + (c.drop() ? "dropped" : "split") + ": every green target needs it as its key");
            }
        }
        return problems.count() == before ? List.copyOf(key) : List.of();
    }

    private static boolean backed(TableSchema t, List<String> key) {
        Set<String> wanted = new HashSet<>(key);
        return new HashSet<>(t.primaryKey()).equals(wanted)
                || t.uniqueKeys().stream().anyMatch(u -> new HashSet<>(u).equals(wanted));
    }
}
