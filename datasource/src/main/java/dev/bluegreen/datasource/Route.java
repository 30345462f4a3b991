package dev.bluegreen.datasource;

import static java.util.Objects.requireNonNull;

/**
 * One row of green's {@code bluegreen.route} table, as published by the cutover coordinator: where the
 * pipeline's application connects and whether its writes are frozen.
 *
 * @param pipeline the pipeline name (the table's primary key)
 * @param target where connections go; while {@link Phase#FROZEN}, where they resume if the coordinator
 *     goes silent
 * @param phase serving or frozen
 * @param epoch increases with every change of target or phase; a row whose epoch this DataSource has
 *     already applied is a keep-alive
 * @param leaseMs while frozen: milliseconds without a notification after which the DataSource resumes on
 *     {@code target} by itself; may be zero or negative (then it resumes at once)
 */
public record Route(String pipeline, Target target, Phase phase, long epoch, long leaseMs) {

    /** @throws NullPointerException if pipeline, target or phase is null */
    public Route {
        requireNonNull(pipeline, "pipeline is null");
        requireNonNull(target, "target is null");
        requireNonNull(phase, "phase is null");
    }
}
