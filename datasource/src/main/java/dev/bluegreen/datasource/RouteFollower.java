package dev.bluegreen.datasource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the pipeline's {@code bluegreen.route} row through one control connection on green:
 * {@code LISTEN bluegreen_route}, then read the row; after that, read it again on every notification whose
 * payload is the pipeline name (the coordinator's changes and its keep-alives) and at least every
 * {@value #REFRESH_MS} ms (which also finds a dead connection). Each read goes through the
 * {@link RouteTracker}, whose desired state the {@link PoolSwitch} is made to follow.
 *
 * <p>A lost control connection is reopened with a doubling backoff ({@value #MIN_BACKOFF_MS} ms up to
 * {@value #MAX_BACKOFF_MS} ms); the lease keeps running meanwhile, so a freeze still lapses on time. A
 * switch that fails (the new target's database is down) is retried with the same backoff, from
 * {@value #MIN_RETRY_MS} ms.
 *
 * <p>Thread-safety: {@link #readOnce} is called by the starting thread before {@link #run} runs on the
 * follower's own thread; {@link #stop} may be called from any thread.
 */
final class RouteFollower implements Runnable {

    /** The channel the coordinator notifies on; the payload is the pipeline name. */
    static final String CHANNEL = "bluegreen_route";
    /**
     * The channel this DataSource acknowledges a converged route on (spelled the same in the coordinator's
     * {@code DataSourceRouter.ACK_CHANNEL}: this module does not depend on the coordinator's).
     */
    static final String ACK_CHANNEL = "bluegreen_route_ack";
    /**
     * The control connection's {@code application_name} is this and the pipeline: the coordinator finds the
     * DataSources that must acknowledge a freeze by it ({@code DataSourceRouter.FOLLOWER_APPLICATION_PREFIX}).
     */
    static final String APPLICATION_PREFIX = "bluegreen-route-";
    static final long REFRESH_MS = 1_000;
    static final long MIN_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 5_000;
    static final long MIN_RETRY_MS = 250;
    private static final long POLL_MS = 250;
    private static final Logger LOG = LoggerFactory.getLogger(SwitchableDataSource.class);
    private static final String READ_ROUTE = "SELECT target, phase, epoch, lease_ms FROM bluegreen.route"
            + " WHERE pipeline = ?";

    private final SwitchableDataSourceConfig config;
    private final String pipeline;
    private final RouteTracker tracker;
    private PoolSwitch pools;
    private volatile boolean running = true;
    private Connection connection;
    private PreparedStatement readRoute;
    private long lastReadNanos;
    private DataSourceState failed;
    private long retryAtNanos;
    private long retryDelayMs = MIN_RETRY_MS;

    RouteFollower(SwitchableDataSourceConfig config) {
        this.config = config;
        this.pipeline = config.pipeline();
        this.tracker = new RouteTracker(config.initialTarget());
    }

    /**
     * Opens the control connection, listens and reads the route once.
     *
     * @return the state the route asks for
     * @throws SQLException naming the control URL and the fix, when green or its route table cannot be read
     */
    DataSourceState readOnce() throws SQLException {
        connect();
        return tracker.desired();
    }

    /** Hands over the pools to steer; call before starting {@link #run} on a thread. */
    void follow(PoolSwitch pools) {
        this.pools = pools;
    }

    /** Makes {@link #run} return at its next wake-up (within about {@value #POLL_MS} ms) and close its connection. */
    void stop() {
        running = false;
    }

    /** Closes the control connection of a follower whose {@link #run} never started. */
    void abandon() {
        running = false;
        closeConnection();
    }

    @Override
    public void run() {
        long backoffMs = MIN_BACKOFF_MS;
        try {
            while (running) {
                try {
                    if (connection == null) {
                        connect();
                        LOG.info("{} - control connection to green open again; route: {}", pipeline,
                                tracker.route().map(r -> r.phase().sqlName() + " on " + r.target().sqlName()
                                        + " (epoch " + r.epoch() + ")").orElse("no row"));
                        backoffMs = MIN_BACKOFF_MS;
                    }
                    converge();
                    poll();
                } catch (SQLException e) {
                    closeConnection();
                    if (running) {
                        LOG.warn("{} - control connection to green failed: {}; reconnecting in {} ms", pipeline,
                                e.getMessage(), backoffMs);
                        idle(backoffMs);
                        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
                    }
                } catch (RuntimeException e) {
                    // a bug must not end the thread: the application would stop following the coordinator
                    LOG.error("{} - unexpected error while following the route; going on in {} ms", pipeline,
                            backoffMs, e);
                    idle(backoffMs);
                    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
                }
            }
        } finally {
            closeConnection();
        }
    }

    private void poll() throws SQLException {
        long now = System.nanoTime();
        long waitNanos = Math.min(TimeUnit.MILLISECONDS.toNanos(POLL_MS), tracker.nanosUntilLapse(now));
        if (retryAtNanos != 0) {
            waitNanos = Math.min(waitNanos, retryAtNanos - now);
        }
        // getNotifications(0) would block for good: wait at least 1 ms
        int waitMs = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos));
        PGNotification[] notifications = connection.unwrap(PGConnection.class).getNotifications(waitMs);
        now = System.nanoTime();
        if (ours(notifications)) {
            tracker.heard(now);
            read(now);
        } else if (now - lastReadNanos >= TimeUnit.MILLISECONDS.toNanos(REFRESH_MS)) {
            read(now);
        }
        lapseIfSilent(now);
    }

    private boolean ours(PGNotification[] notifications) {
        if (notifications == null) {
            return false;
        }
        for (PGNotification n : notifications) {
            if (CHANNEL.equals(n.getName()) && pipeline.equals(n.getParameter())) {
                return true;
            }
        }
        return false;
    }

    /** Sleeps {@code ms} without a control connection, still lapsing a silent freeze on time. */
    private void idle(long ms) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        long now;
        while (running && (now = System.nanoTime()) < end) {
            long nap = Math.min(end - now, Math.max(TimeUnit.MILLISECONDS.toNanos(1), tracker.nanosUntilLapse(now)));
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(nap, TimeUnit.MILLISECONDS.toNanos(POLL_MS)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
                return;
            }
            lapseIfSilent(System.nanoTime());
            converge();
        }
    }

    private void lapseIfSilent(long now) {
        if (tracker.lapseIfSilent(now)) {
            DataSourceState lapsed = tracker.desired();
            LOG.warn("{} - no word from the cutover coordinator for {} ms while frozen (lease_ms {}): resuming on {}"
                    + " by itself and ignoring route epoch {} from now on", pipeline, tracker.silentMs(now),
                    tracker.route().map(Route::leaseMs).orElse(0L), lapsed.target().sqlName(), lapsed.epoch());
        }
    }

    private void converge() {
        DataSourceState desired = tracker.desired();
        if (pools == null || desired.equals(pools.state())
                || (desired.equals(failed) && System.nanoTime() < retryAtNanos)) {
            return;
        }
        if (!desired.equals(failed)) {
            retryDelayMs = MIN_RETRY_MS;
        }
        try {
            pools.converge(desired);
            failed = null;
            retryAtNanos = 0;
            acknowledge(desired);
        } catch (SQLException e) {
            failed = desired;
            LOG.warn("{} - {}; staying {} and retrying in {} ms", pipeline, e.getMessage(), pools.state().describe(),
                    retryDelayMs);
            retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryDelayMs);
            retryDelayMs = Math.min(retryDelayMs * 2, MAX_BACKOFF_MS);
        }
    }

    /**
     * Tells the coordinator this DataSource now is in {@code state}: {@code NOTIFY} on {@value #ACK_CHANNEL} with
     * {@code <pipeline> <epoch> <phase>} (the notification carries this connection's backend pid, which the
     * coordinator knows by its {@code application_name}). Its {@code pause} waits for the freeze's acknowledgement of
     * every DataSource before it locks blue. Without a control connection nothing is sent; the coordinator then
     * waits until its own timeout and its locks take over.
     */
    private void acknowledge(DataSourceState state) {
        if (connection == null) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_notify('" + ACK_CHANNEL + "', ?)")) {
            ps.setString(1, pipeline + " " + state.epoch() + " " + state.phase().sqlName());
            ps.execute();
        } catch (SQLException e) {
            LOG.warn("{} - acknowledging {} to the coordinator failed: {}", pipeline, state.describe(), e.getMessage());
        }
    }

    private void connect() throws SQLException {
        Properties props = new Properties();
        if (config.controlUser() != null) {
            props.setProperty("user", config.controlUser());
        }
        if (config.controlPassword() != null) {
            props.setProperty("password", config.controlPassword());
        }
        props.setProperty("ApplicationName", APPLICATION_PREFIX + pipeline);
        props.setProperty("connectTimeout", "2");
        props.setProperty("socketTimeout", "10");
        props.setProperty("tcpKeepAlive", "true");
        try {
            connection = DriverManager.getConnection(config.controlUrl(), props);
            connection.setAutoCommit(true);
            try (Statement listen = connection.createStatement()) {
                listen.execute("LISTEN " + CHANNEL);
            }
            readRoute = connection.prepareStatement(READ_ROUTE);
            // LISTEN before the first read: a change committed in between is then both read and notified
            read(System.nanoTime());
        } catch (SQLException e) {
            closeConnection();
            throw explain(e);
        }
    }

    private void read(long now) throws SQLException {
        readRoute.setString(1, pipeline);
        Optional<Route> row;
        try (ResultSet rs = readRoute.executeQuery()) {
            row = rs.next() ? Optional.of(toRoute(rs)) : Optional.empty();
        }
        lastReadNanos = now;
        Optional<Route> before = tracker.route();
        tracker.read(row, now);
        if (row.isEmpty() && before.isPresent()) {
            LOG.warn("{} - the route row in green disappeared; staying {}", pipeline, tracker.desired().describe());
        }
    }

    private Route toRoute(ResultSet rs) throws SQLException {
        try {
            return new Route(pipeline, Target.fromSql(rs.getString(1)), Phase.fromSql(rs.getString(2)), rs.getLong(3),
                    rs.getLong(4));
        } catch (IllegalArgumentException e) {
            throw new SQLException("bluegreen.route row of pipeline '" + pipeline + "' is invalid: " + e.getMessage(),
                    "22000", e);
        }
    }

    private SQLException explain(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String fix;
        if ("42P01".equals(state) || "3F000".equals(state)) {
            fix = "green has no bluegreen.route table: is the control URL green's database, and has bluegreen run"
                    + " against it (it creates the control schema)?";
        } else if ("42501".equals(state)) {
            fix = "grant the control role USAGE on schema bluegreen and SELECT on bluegreen.route";
        } else {
            fix = "check that green is up and the control URL and credentials are right";
        }
        return new SQLException("bluegreen pipeline '" + pipeline + "': cannot follow the route in green ("
                + config.controlUrl() + "): " + e.getMessage() + "; " + fix, e.getSQLState(), e);
    }

    private void closeConnection() {
        Connection c = connection;
        connection = null;
        readRoute = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("{} - closing the control connection failed: {}", pipeline, e.getMessage());
            }
        }
    }
}
