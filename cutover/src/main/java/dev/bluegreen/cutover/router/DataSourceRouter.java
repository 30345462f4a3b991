package dev.bluegreen.cutover.router;

import dev.bluegreen.core.config.CutoverConfig;
import dev.bluegreen.core.config.EndpointConfig;
import dev.bluegreen.core.dialect.Engine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.commons.lang3.concurrent.BasicThreadFactory;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the target for bluegreen's switchable DataSource (module {@code bluegreen-datasource}) in
 * green's {@code bluegreen.route} row of the pipeline, each change followed by
 * {@code NOTIFY bluegreen_route, '<pipeline>'} in the same transaction. During a freeze a keep-alive
 * NOTIFY goes out every {@value #KEEP_ALIVE_MS} ms; a DataSource that hears nothing for the lease resumes
 * on its old target by itself, so a dead coordinator cannot leave applications frozen.
 *
 * <p>{@link #pause} publishes {@code frozen}, then waits until every DataSource following the route
 * acknowledged it (its borrowed connections came back) and the application role has no non-idle session on
 * blue. {@link #flip} only notes
 * the new target: {@link #resume} publishes it ({@code serving} on green), after the coordinator has
 * committed green's grants and released blue, so no DataSource borrows from green before the application
 * may write there, and one that stops hearing from a coordinator that died between flip and release
 * resumes on blue, where the cutover left everything as it was. Not thread-safe, apart from the
 * keep-alive task it owns.
 */
public final class DataSourceRouter implements Router {

    static final long KEEP_ALIVE_MS = 100;
    /**
     * The channel on which each DataSource acknowledges a route it converged to, payload {@code <pipeline> <epoch>
     * <phase>} (sent by {@code dev.bluegreen.datasource.RouteFollower}; the notification carries its backend pid).
     */
    static final String ACK_CHANNEL = "bluegreen_route_ack";
    /**
     * The {@code application_name} of a DataSource's control connection is this prefix and the pipeline (spelled the
     * same in {@code dev.bluegreen.datasource.RouteFollower.APPLICATION_PREFIX}).
     */
    static final String FOLLOWER_APPLICATION_PREFIX = "bluegreen-route-";
    /** How often the wait for acknowledgements looks for DataSources that went away, ms. */
    private static final int ACK_RECHECK_MS = 20;
    /** Keep-alives go on this long past the freeze budget given to {@link #pause}, then stop. */
    static final long KEEP_ALIVE_GRACE_MS = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(DataSourceRouter.class);

    private final CutoverConfig.DataSourceRoute config;
    private final String pipeline;
    private final DataSource green;
    private final DataSource blue;
    private final Engine blueEngine;
    private final String applicationRole;
    private final ScheduledExecutorService keepAlive = Executors.newSingleThreadScheduledExecutor(
            new BasicThreadFactory.Builder().namingPattern("bluegreen-route-keepalive").daemon(true).build());
    private ScheduledFuture<?> keepAliveTask;
    private volatile long keepAliveUntilNanos;
    private String target = "blue";
    private String nextTarget = "blue";
    private boolean frozen;
    private Connection ackListener;

    public DataSourceRouter(CutoverConfig.DataSourceRoute config, String pipeline, DataSource green, DataSource blue,
                            String applicationRole) {
        this(config, pipeline, green, blue, Engine.POSTGRESQL, applicationRole);
    }

    /**
     * @param blueEngine blue's engine, for the check of the application's busy sessions there
     */
    public DataSourceRouter(CutoverConfig.DataSourceRoute config, String pipeline, DataSource green, DataSource blue,
                            Engine blueEngine, String applicationRole) {
        this.blueEngine = blueEngine;
        this.config = config;
        this.pipeline = pipeline;
        this.green = green;
        this.blue = blue;
        this.applicationRole = applicationRole;
    }

    @Override
    public String describe() {
        return "switchable DataSource via green bluegreen.route (lease " + config.lease().toMillis() + " ms)";
    }

    @Override
    public boolean canPause() {
        return true;
    }

    @Override
    public String check() {
        try (Connection c = green.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT target, phase, epoch FROM bluegreen.route WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return "no route row yet: DataSources use their initial target (blue); the coordinator creates it";
                }
                target = rs.getString(1);
                nextTarget = target;
                if (!"blue".equals(target) || !"serving".equals(rs.getString(2))) {
                    throw new RouterException("bluegreen.route says " + rs.getString(2) + " on " + target + " (epoch "
                            + rs.getLong(3) + "), not serving on blue: was a cutover already done or interrupted? Look at"
                            + " bluegreen status");
                }
                return "route serving on blue, epoch " + rs.getLong(3);
            }
        } catch (SQLException e) {
            throw new RouterException("cannot read bluegreen.route in green: " + e.getMessage(), e);
        }
    }

    /** Creates the route row (serving on blue) if missing; the DataSources then follow it. */
    public void ensureRoute() {
        try (Connection c = green.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO bluegreen.route (pipeline, target, phase, epoch, lease_ms) VALUES (?, 'blue', 'serving', 1, ?)"
                        + " ON CONFLICT (pipeline) DO NOTHING")) {
            ps.setString(1, pipeline);
            ps.setLong(2, config.lease().toMillis());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new RouterException("cannot create the route row in green: " + e.getMessage(), e);
        }
    }

    /**
     * Publishes {@code frozen}, then waits, at most {@code timeout} in all: first until every DataSource of the
     * pipeline that follows the route (a green session named {@code bluegreen-route-<pipeline>}) acknowledged this
     * epoch's freeze (a {@code NOTIFY} on {@value #ACK_CHANNEL} sent once its borrowed connections came back), then
     * until the application role has no busy session on blue (applications that do not use the DataSource). Without
     * the acknowledgement, a DataSource that had not yet heard of the freeze could lend a blue connection after the
     * wait saw the role idle, and that transaction would run into the freeze's locks (CutoverIT saw it under load).
     * Past the timeout it logs and returns: the locks take over.
     *
     * @throws RouterException when green or blue cannot be read or the route cannot be published
     */
    @Override
    public void pause(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Connection listener = ackListener();
        long epoch = publish(target, "frozen");
        frozen = true;
        // the keep-alive stops by itself past the freeze budget: a hung coordinator cannot keep applications frozen
        keepAliveUntilNanos = System.nanoTime() + timeout.toNanos() + KEEP_ALIVE_GRACE_MS * 1_000_000L;
        keepAliveTask = keepAlive.scheduleAtFixedRate(this::notifyKeepAlive, KEEP_ALIVE_MS, KEEP_ALIVE_MS,
                TimeUnit.MILLISECONDS);
        awaitAcks(listener, epoch, deadline, timeout);
        int busy;
        while ((busy = busyApplicationSessions()) > 0) {
            if (System.nanoTime() > deadline) {
                LOG.warn("{} - {} application session(s) on blue still busy after {} ms; the locks take over", pipeline,
                        busy, timeout.toMillis());
                return;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RouterException("interrupted while waiting for DataSources to drain", e);
            }
        }
    }

    /** Waits until every live route follower of the pipeline acknowledged {@code frozen} at {@code epoch} or later. */
    private void awaitAcks(Connection listener, long epoch, long deadline, Duration timeout) {
        try {
            Set<Integer> waiting = followerPids();
            PGConnection pg = listener.unwrap(PGConnection.class);
            while (!waiting.isEmpty()) {
                long leftMs = (deadline - System.nanoTime()) / 1_000_000;
                if (leftMs <= 0) {
                    LOG.warn("{} - {} DataSource(s) (green backend pid {}) did not acknowledge the freeze within {} ms;"
                            + " the locks take over", pipeline, waiting.size(), waiting, timeout.toMillis());
                    return;
                }
                PGNotification[] notes = pg.getNotifications((int) Math.min(leftMs, ACK_RECHECK_MS));
                if (notes != null) {
                    for (PGNotification n : notes) {
                        if (ACK_CHANNEL.equals(n.getName()) && acknowledges(n.getParameter(), epoch)) {
                            waiting.remove(n.getPID());
                        }
                    }
                }
                waiting.retainAll(followerPids()); // a DataSource that went away acknowledges nothing
            }
        } catch (SQLException e) {
            throw new RouterException("waiting for the DataSources to acknowledge the freeze failed: " + e.getMessage(), e);
        }
    }

    /** Whether an acknowledgement payload ({@code <pipeline> <epoch> <phase>}) confirms the freeze of {@code epoch}. */
    boolean acknowledges(String payload, long epoch) {
        String[] parts = payload == null ? new String[0] : payload.split(" ");
        if (parts.length != 3 || !parts[0].equals(pipeline) || !"frozen".equals(parts[2])) {
            return false;
        }
        try {
            return Long.parseLong(parts[1]) >= epoch;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Green backend pids of the DataSources following this pipeline's route (their control connections). */
    private Set<Integer> followerPids() throws SQLException {
        Set<Integer> pids = new HashSet<>();
        try (Connection c = green.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT pid FROM"
                + " pg_stat_activity WHERE application_name = left(?, 63) AND datname = current_database()")) {
            ps.setString(1, FOLLOWER_APPLICATION_PREFIX + pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pids.add(rs.getInt(1));
                }
            }
        }
        return pids;
    }

    /** The connection that listens for acknowledgements, opened once (before the first freeze is published). */
    private Connection ackListener() {
        if (ackListener == null) {
            try {
                Connection c = green.getConnection();
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + ACK_CHANNEL);
                }
                ackListener = c;
            } catch (SQLException e) {
                throw new RouterException("cannot listen for the DataSources' acknowledgements on green: "
                        + e.getMessage(), e);
            }
        }
        return ackListener;
    }

    /** Notes {@code targetName} for {@link #resume}, which publishes it; the DataSources stay frozen until then. */
    @Override
    public void flip(String targetName, EndpointConfig newTarget) {
        nextTarget = targetName;
    }

    /** Publishes {@code serving} on the target of the last {@link #flip} (the old one if none), if frozen or flipped. */
    @Override
    public void resume() {
        if (frozen || !nextTarget.equals(target)) {
            stopKeepAlive();
            publish(nextTarget, "serving");
            target = nextTarget;
            frozen = false;
        }
    }

    @Override
    public void close() {
        stopKeepAlive();
        keepAlive.shutdownNow();
        if (ackListener != null) {
            try (Connection c = ackListener; Statement st = c.createStatement()) {
                st.execute("UNLISTEN " + ACK_CHANNEL); // the pooled connection goes back without the LISTEN
            } catch (SQLException e) {
                LOG.debug("{} - closing the acknowledgement listener: {}", pipeline, e.toString());
            }
            ackListener = null;
        }
    }

    private void stopKeepAlive() {
        if (keepAliveTask != null) {
            keepAliveTask.cancel(false);
            keepAliveTask = null;
        }
    }

    /** Publishes the route; returns its new epoch. */
    private long publish(String newTarget, String phase) {
        try (Connection c = green.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bluegreen.route (pipeline, target, phase, epoch,"
                    + " lease_ms, updated_at) VALUES (?, ?, ?, 1, ?, now()) ON CONFLICT (pipeline) DO UPDATE SET"
                    + " target = EXCLUDED.target, phase = EXCLUDED.phase, epoch = bluegreen.route.epoch + 1,"
                    + " lease_ms = EXCLUDED.lease_ms, updated_at = now() RETURNING epoch");
                 PreparedStatement n = c.prepareStatement("SELECT pg_notify('bluegreen_route', ?)")) {
                ps.setString(1, pipeline);
                ps.setString(2, newTarget);
                ps.setString(3, phase);
                ps.setLong(4, config.lease().toMillis());
                long epoch;
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    epoch = rs.getLong(1);
                }
                n.setString(1, pipeline);
                n.execute();
                c.commit();
                LOG.info("{} - route published: {} on {} (epoch {})", pipeline, phase, newTarget, epoch);
                return epoch;
            }
        } catch (SQLException e) {
            throw new RouterException("publishing the route (" + phase + " on " + newTarget + ") in green failed: "
                    + e.getMessage(), e);
        }
    }

    private void notifyKeepAlive() {
        if (System.nanoTime() > keepAliveUntilNanos) {
            LOG.warn("{} - the freeze outlived its budget; keep-alives stop, DataSources resume on {} after their lease",
                    pipeline, target);
            throw new IllegalStateException("keep-alive past the freeze budget"); // ends the scheduled task
        }
        try (Connection c = green.getConnection(); PreparedStatement n = c.prepareStatement("SELECT pg_notify('bluegreen_route', ?)")) {
            n.setString(1, pipeline);
            n.execute();
        } catch (SQLException e) {
            LOG.warn("{} - route keep-alive failed: {}", pipeline, e.getMessage());
        }
    }

    /**
     * The application role's blue sessions running a statement or holding a transaction open. MariaDB shows an open
     * transaction's idle session as {@code Sleep}, so its sessions with an InnoDB transaction count too (the blue user
     * needs PROCESS to see other users' sessions).
     */
    private int busyApplicationSessions() {
        String sql = blueEngine == Engine.MARIADB
                ? "SELECT count(*) FROM information_schema.PROCESSLIST p WHERE BINARY p.USER = ?"
                        + " AND p.ID <> CONNECTION_ID()"
                        + " AND (p.COMMAND <> 'Sleep' OR p.ID IN (SELECT trx_mysql_thread_id FROM"
                        + " information_schema.INNODB_TRX))"
                : "SELECT count(*) FROM pg_stat_activity WHERE usename = ? AND pid <> pg_backend_pid()"
                        + " AND state NOT IN ('idle')";
        try (Connection c = blue.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, applicationRole);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new RouterException("reading blue's sessions failed: " + e.getMessage(), e);
        }
    }
}
