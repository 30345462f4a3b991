package dev.bluegreen.cutover.router;

import dev.bluegreen.core.config.CutoverConfig;
import dev.bluegreen.core.config.EndpointConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PgBouncer in front of the application (see the PgBouncer manual, "Admin console": {@code PAUSE
 * db} waits until every server connection of the database is released, which in transaction pooling
 * means until running transactions end; {@code RELOAD} re-reads the ini file; {@code RESUME db} lets
 * clients go on). The flip rewrites the database's line in the {@code [databases]} section of the
 * configured ini file ({@code host}, {@code port}, {@code dbname}; other settings on the line are kept),
 * atomically, then {@code RELOAD}s; PgBouncer closes server connections whose connection string
 * changed when they are released, so clients resumed afterwards reach the new target. Clients see a
 * pause, not an error. Not thread-safe.
 *
 * <p>If the coordinator dies while PgBouncer is paused, PgBouncer stays paused until someone runs
 * {@code RESUME}; the lock freeze strategy does not have this weakness.
 */
public final class PgBouncerRouter implements Router {

    private static final Logger LOG = LoggerFactory.getLogger(PgBouncerRouter.class);
    private static final Pattern SECTION = Pattern.compile("^\\s*\\[(.+)]\\s*$");

    private final CutoverConfig.PgBouncer config;
    private final ExecutorService pauser = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "bluegreen-pgbouncer-pause");
        t.setDaemon(true);
        return t;
    });
    private Connection admin;
    private String originalIni;
    private boolean paused;

    public PgBouncerRouter(CutoverConfig.PgBouncer config) {
        this.config = config;
    }

    @Override
    public String describe() {
        return "pgbouncer " + config.adminUrl() + " database " + config.database() + " (" + config.configFile() + ")";
    }

    @Override
    public boolean canPause() {
        return true;
    }

    @Override
    public String check() {
        String line = databaseLine(readIni());
        Map<String, String> shown = showDatabase(admin());
        return "PgBouncer reachable; database " + config.database() + " -> " + shown.get("host") + ":"
                + shown.get("port") + "/" + shown.get("database") + "; ini line: " + line.trim();
    }

    @Override
    public void pause(Duration timeout) {
        Connection c = admin();
        Future<?> done = pauser.submit(() -> {
            try (Statement st = c.createStatement()) {
                st.execute("PAUSE " + config.database());
            }
            return null;
        });
        paused = true;
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            resumeOnNewConnection();
            throw new RouterException("PgBouncer could not pause database " + config.database() + " within "
                    + timeout.toMillis() + " ms: a transaction kept a server connection busy; PgBouncer was resumed."
                    + " Find long transactions with SHOW SERVERS on the admin console and retry");
        } catch (ExecutionException e) {
            paused = false;
            throw new RouterException("PgBouncer refused PAUSE " + config.database() + ": " + e.getCause().getMessage()
                    + "; check that " + config.adminUser() + " is in admin_users", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            resumeOnNewConnection();
            throw new RouterException("interrupted while pausing PgBouncer; it was resumed", e);
        }
    }

    @Override
    public void flip(String targetName, EndpointConfig target) {
        String ini = readIni();
        String rewritten = rewrite(ini, target);
        write(rewritten);
        try (Statement st = admin().createStatement()) {
            st.execute("RELOAD");
        } catch (SQLException e) {
            write(ini);
            throw new RouterException("PgBouncer RELOAD failed after pointing " + config.database() + " at "
                    + targetName + ": " + e.getMessage() + "; the ini file was restored", e);
        }
        Map<String, String> shown = showDatabase(admin());
        if (!target.host().equals(shown.get("host")) || !Integer.toString(target.port()).equals(shown.get("port"))) {
            write(ini);
            reload();
            throw new RouterException("after RELOAD PgBouncer still routes " + config.database() + " to "
                    + shown.get("host") + ":" + shown.get("port") + " instead of " + target.host() + ":" + target.port()
                    + "; is " + config.configFile() + " the file PgBouncer loads (or %include-d by it)? It was restored");
        }
        if (originalIni == null) {
            originalIni = ini;
        }
        LOG.info("PgBouncer database {} now points at {} ({}:{}/{})", config.database(), targetName, target.host(),
                target.port(), target.database());
    }

    /** Puts the ini file back as it was before {@link #flip} and reloads; for aborts after a flip. */
    public void undoFlip() {
        if (originalIni != null) {
            write(originalIni);
            reload();
            originalIni = null;
        }
    }

    @Override
    public void resume() {
        if (!paused) {
            return;
        }
        try (Statement st = admin().createStatement()) {
            st.execute("RESUME " + config.database());
            paused = false;
        } catch (SQLException e) {
            resumeOnNewConnection();
        }
    }

    @Override
    public void close() {
        pauser.shutdownNow();
        if (admin != null) {
            try {
                admin.close();
            } catch (SQLException e) {
                LOG.debug("closing the PgBouncer admin connection: {}", e.toString());
            }
        }
    }

    private void resumeOnNewConnection() {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("RESUME " + config.database());
            paused = false;
        } catch (SQLException e) {
            if (e.getMessage() != null && e.getMessage().contains("not paused")) {
                paused = false;
                return;
            }
            LOG.error("PgBouncer RESUME {} failed: {}; run RESUME {} on its admin console by hand", config.database(),
                    e.getMessage(), config.database());
        }
    }

    private void reload() {
        try (Statement st = admin().createStatement()) {
            st.execute("RELOAD");
        } catch (SQLException e) {
            LOG.error("PgBouncer RELOAD failed: {}; run RELOAD on its admin console by hand", e.getMessage());
        }
    }

    private Connection admin() {
        if (admin == null) {
            admin = connect();
        }
        return admin;
    }

    private Connection connect() {
        Properties p = new Properties();
        p.setProperty("user", config.adminUser());
        p.setProperty("password", config.adminPassword());
        p.setProperty("preferQueryMode", "simple"); // the admin console speaks only the simple protocol
        p.setProperty("assumeMinServerVersion", "9.0");
        p.setProperty("connectTimeout", "5");
        try {
            return DriverManager.getConnection(config.adminUrl(), p);
        } catch (SQLException e) {
            throw new RouterException("PgBouncer admin console " + config.adminUrl() + " is not reachable as "
                    + config.adminUser() + ": " + e.getMessage() + "; check cutover.router.admin-url and that the user is"
                    + " in PgBouncer's admin_users", e);
        }
    }

    private Map<String, String> showDatabase(Connection c) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW DATABASES")) {
            while (rs.next()) {
                if (config.database().equals(rs.getString("name"))) {
                    Map<String, String> out = new LinkedHashMap<>();
                    out.put("host", rs.getString("host"));
                    out.put("port", rs.getString("port"));
                    out.put("database", rs.getString("database"));
                    return out;
                }
            }
        } catch (SQLException e) {
            throw new RouterException("SHOW DATABASES on PgBouncer failed: " + e.getMessage(), e);
        }
        throw new RouterException("PgBouncer has no database '" + config.database() + "' (SHOW DATABASES); set"
                + " cutover.router.database to the name the application connects to");
    }

    private String readIni() {
        try {
            return Files.readString(config.configFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RouterException("cannot read PgBouncer config " + config.configFile() + ": " + e.getMessage()
                    + "; set cutover.router.config-file to the ini file holding the [databases] section", e);
        }
    }

    private void write(String content) {
        Path file = config.configFile();
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".bluegreen.tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new RouterException("cannot write PgBouncer config " + file + ": " + e.getMessage()
                    + "; the coordinator needs write access to it", e);
        }
    }

    /** The database's line in the [databases] section. */
    String databaseLine(String ini) {
        int line = lineIndex(ini.split("\n", -1));
        return ini.split("\n", -1)[line];
    }

    private int lineIndex(String[] lines) {
        String section = "";
        Pattern entry = Pattern.compile("^\\s*" + Pattern.quote(config.database()) + "\\s*=.*$");
        for (int i = 0; i < lines.length; i++) {
            Matcher m = SECTION.matcher(lines[i]);
            if (m.matches()) {
                section = m.group(1).trim();
            } else if (section.equals("databases") && entry.matcher(lines[i]).matches()) {
                return i;
            }
        }
        throw new RouterException("no line for database '" + config.database() + "' in the [databases] section of "
                + config.configFile() + "; add one (e.g. '" + config.database() + " = host=... port=... dbname=...')");
    }

    /** The ini with the database's host, port and dbname replaced by the target's. */
    String rewrite(String ini, EndpointConfig target) {
        String[] lines = ini.split("\n", -1);
        int i = lineIndex(lines);
        String value = lines[i].substring(lines[i].indexOf('=') + 1).trim();
        Map<String, String> params = new LinkedHashMap<>();
        for (String kv : value.split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                params.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        params.put("host", target.host());
        params.put("port", Integer.toString(target.port()));
        params.put("dbname", target.database());
        List<String> parts = new ArrayList<>();
        params.forEach((k, v) -> parts.add(k + "=" + v));
        lines[i] = config.database() + " = " + String.join(" ", parts);
        return String.join("\n", lines);
    }
}
