package dev.bluegreen.sink.batch;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.value.Unavailable;

/**
 * The net effect of a batch on one green row: upsert its new state or delete it by key. Sealed:
 * these are the only two.
 */
public sealed interface GreenAction permits GreenAction.Upsert, GreenAction.Delete {

    /** The green table. */
    TableId table();

    /** The event that produced this action (the last one, when several events hit one key). */
    EventSource source();

    /**
     * Write the row; columns holding {@link Unavailable#VALUE} are left as they are in green.
     *
     * @param row the full green row (key columns included)
     */
    record Upsert(TableId table, Row row, EventSource source) implements GreenAction {
        public Upsert {
            requireNonNull(table, "table is null");
            requireNonNull(row, "row is null");
            requireNonNull(source, "source is null");
        }

        /** True when some column must be left unchanged (unchanged TOAST value). */
        public boolean hasUnavailable() {
            return row.values().contains(Unavailable.VALUE);
        }
    }

    /**
     * Delete the row with this key (a no-op when absent).
     *
     * @param key the green key columns
     */
    record Delete(TableId table, Row key, EventSource source) implements GreenAction {
        public Delete {
            requireNonNull(table, "table is null");
            requireNonNull(key, "key is null");
            requireNonNull(source, "source is null");
        }
    }
}
