package dev.bluegreen.datasource;

import static java.util.Objects.requireNonNull;

/**
 * What a {@link SwitchableDataSource} is doing, or (inside the module) what the route asks it to do.
 *
 * @param target the database connections go to; while {@link Phase#FROZEN}, the database of the pool
 *     behind the shut gate
 * @param phase {@link Phase#SERVING}: {@code getConnection()} borrows at once; {@link Phase#FROZEN}: it
 *     waits at the gate
 * @param epoch the {@code bluegreen.route} epoch this state follows; 0 while the pipeline has no route row
 * @param lapsed true when serving after a freeze whose coordinator went silent for longer than the lease
 *     (design property 6): the DataSource resumed on {@code target} by itself, and it ignores that epoch
 *     until the coordinator publishes a new one
 */
public record DataSourceState(Target target, Phase phase, long epoch, boolean lapsed) {

    /** @throws NullPointerException if target or phase is null */
    public DataSourceState {
        requireNonNull(target, "target is null");
        requireNonNull(phase, "phase is null");
    }

    /** @return e.g. {@code "frozen on blue (epoch 4)"}, for log lines and error messages */
    public String describe() {
        return phase.sqlName() + " on " + target.sqlName() + " (epoch " + epoch + (lapsed ? ", lease lapsed" : "")
                + ")";
    }
}
