package dev.bluegreen.datasource;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * The {@link DataSource} a JVM application uses so that bluegreen's cutover coordinator can pause it and
 * re-point it from blue to green: HikariCP pools underneath, one per target, steered by the pipeline's row
 * in green's {@code bluegreen.route} table.
 *
 * <pre>{@code
 * SwitchableDataSourceConfig config = SwitchableDataSourceConfig.builder()
 *         .pipeline("shop")                                      // pipeline.name of the bluegreen config
 *         .control("jdbc:postgresql://green-db:5432/shop", "app", secret)
 *         .blue("jdbc:postgresql://blue-db:5432/shop", "app", secret)
 *         .green("jdbc:postgresql://green-db:5432/shop", "app", secret)
 *         .initialTarget(Target.BLUE)
 *         .freezeWaitMs(5_000)
 *         .build();
 * try (SwitchableDataSource dataSource = SwitchableDataSource.start(config)) {
 *     // hand it to the application as its DataSource (JdbcTemplate, jOOQ, Hibernate, ...)
 *     try (Connection c = dataSource.getConnection()) { ... }
 * }
 * }</pre>
 *
 * <p>What it does, with the coordinator's router ({@code cutover.router: datasource}):
 * <ol>
 *   <li>At {@link #start}, it opens a control connection on green ({@code LISTEN bluegreen_route}), reads
 *       the route row and opens a pool on the row's target (on {@code initialTarget} while there is no row).</li>
 *   <li>On {@code frozen}: new {@code getConnection()} calls wait at a gate; connections already borrowed
 *       finish, and are waited for for up to {@code drainDeadlineMs}; then the pool is suspended.</li>
 *   <li>On {@code serving} on the other target: a new pool opens on it (a started pool's JDBC URL cannot
 *       change), is swapped in behind the gate, and the waiting callers proceed on it; the old pool is
 *       soft-evicted and closed once its borrowed connections came back, at most {@code retireGraceMs}
 *       later. On {@code serving} on the same target, the pool resumes.</li>
 *   <li>If nothing is heard from the coordinator (changes or its keep-alive notifications) for the route's
 *       {@code lease_ms} while frozen, it resumes on the route's (old) target by itself: a dead coordinator
 *       cannot leave the application frozen. A lost control connection is reopened with backoff.</li>
 * </ol>
 *
 * <p>Errors: a caller that waits at the gate for longer than {@code freezeWaitMs} gets a
 * {@link SQLTransientConnectionException} with SQLState {@value #SQLSTATE_FROZEN} ({@code cannot_connect_now})
 * whose message names the pipeline and the freeze; after {@link #close()}, {@code getConnection()} throws
 * {@link SQLNonTransientConnectionException} with SQLState {@value #SQLSTATE_CLOSED}. Errors of the pools
 * themselves (HikariCP's {@code connectionTimeout}, database errors) pass through unchanged. Transitions
 * are logged at INFO by this class's logger, each line starting with {@code "<pipeline> - "}.
 *
 * <p>Thread-safety: every method may be called from any thread. The route is followed on a daemon thread
 * named {@code bluegreen-route-<pipeline>}, over one connection to green whose {@code application_name} is
 * {@code bluegreen-route-<pipeline>}; its role needs {@code USAGE} on schema {@code bluegreen} and
 * {@code SELECT} on {@code bluegreen.route}.
 */
public final class SwitchableDataSource implements DataSource, AutoCloseable {

    /** SQLState of the error a caller gets after waiting {@code freezeWaitMs} at a freeze; API, tests rely on it. */
    public static final String SQLSTATE_FROZEN = "57P03";
    /** SQLState of {@code getConnection()} after {@link #close()}. */
    public static final String SQLSTATE_CLOSED = "08003";
    private static final long STOP_WAIT_MS = 5_000;
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(SwitchableDataSource.class);

    private final SwitchableDataSourceConfig config;
    private final RouteFollower follower;
    private final PoolSwitch pools;
    private final Thread followerThread;
    private volatile PrintWriter logWriter;

    private SwitchableDataSource(SwitchableDataSourceConfig config, RouteFollower follower, PoolSwitch pools) {
        this.config = config;
        this.follower = follower;
        this.pools = pools;
        this.followerThread = new Thread(follower, "bluegreen-route-" + config.pipeline());
        this.followerThread.setDaemon(true);
    }

    /**
     * Reads the route, opens the first pool and starts following the route. Blocks until the pool has its
     * first connection (HikariCP's {@code initializationFailTimeout}).
     *
     * @param config validated settings; logged once, without passwords
     * @return the running DataSource; the caller must {@link #close()} it
     * @throws SQLException if green's route cannot be read (the message names the control URL and the fix),
     *     or the first pool cannot open (SQLState 08001)
     */
    public static SwitchableDataSource start(SwitchableDataSourceConfig config) throws SQLException {
        requireNonNull(config, "config is null");
        LOG.info("{} - starting: {}", config.pipeline(), config);
        RouteFollower follower = new RouteFollower(config);
        DataSourceState initial = follower.readOnce();
        PoolSwitch pools;
        try {
            pools = PoolSwitch.start(config, initial);
        } catch (SQLException | RuntimeException e) {
            follower.abandon();
            throw e;
        }
        follower.follow(pools);
        SwitchableDataSource dataSource = new SwitchableDataSource(config, follower, pools);
        dataSource.followerThread.start();
        return dataSource;
    }

    /**
     * Borrows a connection from the current target's pool; during a freeze, first waits at the gate for at
     * most {@code freezeWaitMs}.
     *
     * @throws SQLTransientConnectionException (SQLState {@value #SQLSTATE_FROZEN}) when the freeze outlasted
     *     {@code freezeWaitMs}; (SQLState 08001) when interrupted while waiting, with the interrupt flag kept
     * @throws SQLNonTransientConnectionException (SQLState {@value #SQLSTATE_CLOSED}) after {@link #close()}
     * @throws SQLException from HikariCP, as a plain {@code HikariDataSource} would throw it
     */
    @Override
    public Connection getConnection() throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.freezeWaitMs());
        ConnectionGate<HikariDataSource> gate = pools.gate();
        HikariDataSource pool;
        try {
            pool = gate.enter(deadline);
        } catch (ConnectionGate.NotAdmittedException e) {
            throw notAdmitted(e.state());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLTransientConnectionException("bluegreen pipeline '" + config.pipeline() + "': interrupted"
                    + " while waiting for a cutover freeze to end", "08001", e);
        }
        try {
            return pool.getConnection();
        } finally {
            gate.leave();
        }
    }

    /**
     * Not supported: each target's credentials are part of its pool settings.
     *
     * @throws SQLFeatureNotSupportedException always
     */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("bluegreen pipeline '" + config.pipeline() + "': the switchable"
                + " DataSource takes credentials from the blue and green pool settings; call getConnection()");
    }

    /** @return what the DataSource is doing: target, phase and the route epoch it follows */
    public DataSourceState state() {
        return pools.state();
    }

    /** @return the database connections go to now (during a freeze: the one they wait for) */
    public Target currentTarget() {
        return state().target();
    }

    /** @return whether {@code getConnection()} borrows at once or waits at the freeze gate */
    public Phase currentPhase() {
        return state().phase();
    }

    /** @return the {@code bluegreen.route} epoch followed; 0 while the pipeline has no route row */
    public long currentEpoch() {
        return state().epoch();
    }

    /** @return the pipeline whose route this DataSource follows */
    public String pipeline() {
        return config.pipeline();
    }

    /** @return {@code getConnection()} calls so far that found the gate shut and waited, whatever the outcome */
    public long waitedCalls() {
        return pools.gate().waitedCalls();
    }

    /** @return {@code getConnection()} calls so far refused after waiting {@code freezeWaitMs} */
    public long refusedCalls() {
        return pools.gate().refusedCalls();
    }

    /**
     * Stops following the route, refuses waiting and later callers, and closes every pool (aborting
     * connections still borrowed). Blocks while a switch in progress finishes, at most a few seconds.
     * Idempotent.
     */
    @Override
    public void close() {
        pools.terminate();
        follower.stop();
        followerThread.interrupt();
        try {
            followerThread.join(STOP_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pools.close();
    }

    /** @return the writer set by {@link #setLogWriter}; nothing is written to it (logging goes through SLF4J) */
    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    /** Kept for {@link #getLogWriter}; this DataSource logs through SLF4J only. */
    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    /**
     * Not supported: set {@code connectionTimeout} on the blue and green pool settings.
     *
     * @throws SQLFeatureNotSupportedException always
     */
    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        throw new SQLFeatureNotSupportedException("bluegreen pipeline '" + config.pipeline() + "': set"
                + " connectionTimeout on the blue and green HikariConfig instead of the login timeout");
    }

    /** @return 0: timeouts are the pools' {@code connectionTimeout} and {@code freezeWaitMs} */
    @Override
    public int getLoginTimeout() {
        return 0;
    }

    /** @throws SQLFeatureNotSupportedException always: logging goes through SLF4J */
    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("the switchable DataSource logs through SLF4J");
    }

    /**
     * Unwraps to this object only: the pools stay behind the gate (a connection taken from a pool directly
     * would bypass the freeze).
     *
     * @throws SQLException if {@code iface} is not implemented by this class
     */
    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("the switchable DataSource of pipeline '" + config.pipeline() + "' does not wrap "
                + iface.getName() + ": its pools stay behind the freeze gate");
    }

    /** @return whether {@link #unwrap} returns this object for {@code iface} */
    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public String toString() {
        return "SwitchableDataSource[" + config.pipeline() + ", " + state().describe() + "]";
    }

    private SQLException notAdmitted(ConnectionGate.Shut shut) {
        if (shut.terminated()) {
            return new SQLNonTransientConnectionException("bluegreen pipeline '" + config.pipeline()
                    + "': the switchable DataSource is closed", SQLSTATE_CLOSED);
        }
        // The text is API: applications and the end-to-end tests match on "frozen" and the pipeline name.
        return new SQLTransientConnectionException("bluegreen pipeline '" + config.pipeline() + "': no connection"
                + " within freezeWaitMs=" + config.freezeWaitMs() + " ms because " + shut.reason() + ". The freeze"
                + " ends when the cutover coordinator publishes the new target, or by itself once the coordinator has"
                + " been silent for the route's lease_ms; retry the transaction, or raise freezeWaitMs above the"
                + " cutover's max-freeze-ms", SQLSTATE_FROZEN);
    }
}
