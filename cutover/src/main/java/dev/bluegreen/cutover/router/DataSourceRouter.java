package dev.bluegreen.cutover.router;

import dev.bluegreen.core.config.CutoverConfig;
import dev.bluegreen.core.config.EndpointConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the target for bluegreen's switchable DataSource (module {@code bluegreen-datasource}) in
 * green's {@code bluegreen.route} row of the pipeline, each change followed by
 * {@code NOTIFY bluegreen_route, '<pipeline>'} in the same transaction. During a freeze a keep-alive
 * NOTIFY goes out every {@value #KEEP_ALIVE_MS} ms; a DataSource that hears nothing for the lease resumes
 * on its old target by itself, so a dead coordinator cannot leave applications frozen.
 *
 * <p>{@link #pause} publishes {@code frozen}, then waits until the application role has no
 * non-idle session on blue (the DataSources drained their borrowed connections). {@link #flip} only notes
 * the new target: {@link #resume} publishes it ({@code serving} on green), after the coordinator has
 * committed green's grants and released blue, so no DataSource borrows from green before the application
 * may write there, and one that stops hearing from a coordinator that died between flip and release
 * resumes on blue, where the cutover left everything as it was. Not thread-safe, apart from the
 * keep-alive task it owns.
 */
public final class DataSourceRouter implements Router {

    static final long KEEP_ALIVE_MS = 100;
    /** Keep-alives go on this long past the freeze budget given to {@link #pause}, then stop. */
    static final long KEEP_ALIVE_GRACE_MS = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(DataSourceRouter.class);

    private final CutoverConfig.DataSourceRoute config;
    private final String pipeline;
    private final DataSource green;
    private final DataSource blue;
    private final String applicationRole;
    private final ScheduledExecutorService keepAlive = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bluegreen-route-keepalive");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> keepAliveTask;
    private volatile long keepAliveUntilNanos;
    private String target = "blue";
    private String nextTarget = "blue";
    private boolean frozen;

    public DataSourceRouter(CutoverConfig.DataSourceRoute config, String pipeline, DataSource green, DataSource blue,
                            String applicationRole) {
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

    @Override
    public void pause(Duration timeout) {
        publish(target, "frozen");
        frozen = true;
        // the keep-alive stops by itself past the freeze budget: a hung coordinator cannot keep applications frozen
        keepAliveUntilNanos = System.nanoTime() + timeout.toNanos() + KEEP_ALIVE_GRACE_MS * 1_000_000L;
        keepAliveTask = keepAlive.scheduleAtFixedRate(this::notifyKeepAlive, KEEP_ALIVE_MS, KEEP_ALIVE_MS,
                TimeUnit.MILLISECONDS);
        long deadline = System.nanoTime() + timeout.toNanos();
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
    }

    private void stopKeepAlive() {
        if (keepAliveTask != null) {
            keepAliveTask.cancel(false);
            keepAliveTask = null;
        }
    }

    private void publish(String newTarget, String phase) {
        try (Connection c = green.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bluegreen.route (pipeline, target, phase, epoch,"
                    + " lease_ms, updated_at) VALUES (?, ?, ?, 1, ?, now()) ON CONFLICT (pipeline) DO UPDATE SET"
                    + " target = EXCLUDED.target, phase = EXCLUDED.phase, epoch = bluegreen.route.epoch + 1,"
                    + " lease_ms = EXCLUDED.lease_ms, updated_at = now()");
                 PreparedStatement n = c.prepareStatement("SELECT pg_notify('bluegreen_route', ?)")) {
                ps.setString(1, pipeline);
                ps.setString(2, newTarget);
                ps.setString(3, phase);
                ps.setLong(4, config.lease().toMillis());
                ps.executeUpdate();
                n.setString(1, pipeline);
                n.execute();
            }
            c.commit();
            LOG.info("{} - route published: {} on {}", pipeline, phase, newTarget);
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

    private int busyApplicationSessions() {
        try (Connection c = blue.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM"
                + " pg_stat_activity WHERE usename = ? AND pid <> pg_backend_pid() AND state NOT IN ('idle')")) {
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
