package dev.bluegreen.cutover.router;

import dev.bluegreen.core.config.CutoverConfig;
import dev.bluegreen.core.config.EndpointConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private final CutoverConfig.PgBouncer config;
    private final PgBouncerAdmin admin;
    private boolean paused;

    public PgBouncerRouter(CutoverConfig.PgBouncer config) {
        this.config = config;
        this.admin = new PgBouncerAdmin(config);
    }

    @Override
    public String describe() {
        return "pgbouncer " + admin.address() + " database " + config.database() + " (" + config.configFile() + ")";
    }

    @Override
    public boolean canPause() {
        return true;
    }

    @Override
    public String check() {
        String line = databaseLine(readIni());
        Map<String, String> shown = showDatabase();
        if (!"0".equals(shown.getOrDefault("paused", "0"))) {
            throw new RouterException("PgBouncer database " + config.database() + " is paused already (an earlier"
                    + " cutover died?); run RESUME " + config.database() + " on its admin console if that is not wanted");
        }
        return "PgBouncer reachable; database " + config.database() + " -> " + shown.get("host") + ":"
                + shown.get("port") + "/" + shown.get("database") + "; ini line: " + line.trim();
    }

    /**
     * {@code PAUSE db}: PgBouncer holds new transactions and the command returns once every server
     * connection of the database is released (transaction pooling: once running transactions end).
     */
    @Override
    public void pause(Duration timeout) {
        paused = true; // from here on a failure must RESUME: PgBouncer keeps a requested PAUSE
        try {
            admin.run("PAUSE " + config.database(), timeout);
        } catch (PgBouncerAdmin.TimedOut e) {
            resume();
            throw new RouterException("PgBouncer could not pause database " + config.database() + " within "
                    + timeout.toMillis() + " ms: a transaction kept a server connection busy; PgBouncer was resumed."
                    + " Find long transactions with SHOW SERVERS on the admin console and retry", e);
        } catch (RouterException e) {
            resume();
            throw e;
        }
    }

    @Override
    public void flip(String targetName, EndpointConfig target) {
        String ini = readIni();
        String rewritten = rewrite(ini, target);
        write(rewritten);
        try {
            admin.run("RELOAD", COMMAND_TIMEOUT);
        } catch (RouterException e) {
            write(ini);
            throw new RouterException("PgBouncer RELOAD failed after pointing " + config.database() + " at "
                    + targetName + ": " + e.getMessage() + "; the ini file was restored", e);
        }
        Map<String, String> shown = showDatabase();
        if (!target.host().equals(shown.get("host")) || !Integer.toString(target.port()).equals(shown.get("port"))) {
            write(ini);
            reload();
            throw new RouterException("after RELOAD PgBouncer still routes " + config.database() + " to "
                    + shown.get("host") + ":" + shown.get("port") + " instead of " + target.host() + ":" + target.port()
                    + "; is " + config.configFile() + " the file PgBouncer loads (or %include-d by it)? It was restored");
        }
        LOG.info("PgBouncer database {} now points at {} ({}:{}/{})", config.database(), targetName, target.host(),
                target.port(), target.database());
    }

    /** {@code RESUME db}; never throws (a failure is logged with what to run by hand). */
    @Override
    public void resume() {
        if (!paused) {
            return;
        }
        try {
            admin.run("RESUME " + config.database(), COMMAND_TIMEOUT);
            paused = false;
        } catch (RouterException e) {
            if (e.getMessage() != null && e.getMessage().contains("not paused")) {
                paused = false;
                return;
            }
            LOG.error("PgBouncer RESUME {} failed: {}; run RESUME {} on its admin console by hand", config.database(),
                    e.getMessage(), config.database());
        }
    }

    @Override
    public void close() {
        admin.close();
    }

    private void reload() {
        try {
            admin.run("RELOAD", COMMAND_TIMEOUT);
        } catch (RouterException e) {
            LOG.error("PgBouncer RELOAD failed: {}; run RELOAD on its admin console by hand", e.getMessage());
        }
    }

    private Map<String, String> showDatabase() {
        for (Map<String, String> row : admin.rows("SHOW DATABASES", COMMAND_TIMEOUT)) {
            if (config.database().equals(row.get("name"))) {
                return row;
            }
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
