package dev.bluegreen.cutover.router;

import dev.bluegreen.core.config.EndpointConfig;
import java.time.Duration;

/**
 * Points the application's connections at a database (step 6 of the cutover protocol), and, where
 * the router can, pauses new transactions during the freeze. Implementations are used from the
 * coordinator's thread only (not thread-safe unless they say so).
 *
 * <p>Errors: every method throws {@link RouterException} with a message naming the router, what failed
 * and the fix; the coordinator then aborts and calls {@link #resume()} on the old target.
 */
public interface Router extends AutoCloseable {

    /** One line for the plan and the report, e.g. {@code pgbouncer 127.0.0.1:6432 database app}. */
    String describe();

    /** Whether {@link #pause} holds new transactions (PgBouncer, the switchable DataSource) rather than being a no-op. */
    boolean canPause();

    /**
     * Pre-check: the router is reachable and configured for this pipeline. Changes nothing.
     *
     * @return what was checked, for the plan
     * @throws RouterException when it is not usable
     */
    String check();

    /**
     * Holds new transactions and waits for running ones to end, at most {@code timeout}.
     *
     * @throws RouterException when running transactions did not end in time (the router is resumed first)
     */
    void pause(Duration timeout);

    /**
     * Points the application at {@code target} (not yet released to clients when the router paused).
     *
     * @param targetName {@code blue} or {@code green}
     * @throws RouterException when the router refused; the router is left pointing at the old target
     */
    void flip(String targetName, EndpointConfig target);

    /** Lets clients go on, on whatever target the router points at. Idempotent. */
    void resume();

    /** Releases connections; never throws. */
    @Override
    void close();
}
