package dev.bluegreen.cutover.router;

import dev.bluegreen.core.config.CutoverConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A session on PgBouncer's admin console, driven through one long-lived {@code psql} process (PgBouncer's
 * manual uses psql for the console; one process start costs 10-200 ms on a busy 2-core machine, so the
 * session is kept for the whole cutover). Not PgJDBC: PgJDBC 42.7.5+ sends {@code SET extra_float_digits}
 * to any server reporting a version below 12, and PgBouncer's console rejects it before 1.25 with "SET
 * failed" (pgbouncer/pgbouncer issue 1509).
 *
 * <p>Protocol: each command is written to psql's stdin followed by {@code \echo} of an end marker with
 * psql's {@code :ERROR} and {@code :LAST_ERROR_MESSAGE} variables (psql 12+), so the reply ends at a
 * known line and says whether the command failed. Output is unaligned and tab-separated with a header
 * line. Not thread-safe: one command at a time.
 */
final class PgBouncerAdmin implements AutoCloseable {

    /** Thrown when a command did not finish within its timeout; the session was closed (a PAUSE stays requested). */
    static final class TimedOut extends RouterException {
        private static final long serialVersionUID = 1L;

        TimedOut(String message) {
            super(message);
        }
    }

    private static final String END = "__bluegreen_end__";
    private static final String EOF = "__bluegreen_eof__";

    private final CutoverConfig.PgBouncer config;
    private Process psql;
    private OutputStream stdin;
    private BlockingQueue<String> lines;

    PgBouncerAdmin(CutoverConfig.PgBouncer config) {
        this.config = config;
    }

    /** {@code host:port} of the console, for messages. */
    String address() {
        return config.adminHost() + ":" + config.adminPort();
    }

    /**
     * Runs one console command, starting the session first if needed.
     *
     * @return the reply's lines: for a SHOW command the header, then one line per row
     * @throws TimedOut when it ran longer than {@code timeout} (the session is closed)
     * @throws RouterException when psql cannot start or connect, or PgBouncer answers with an error
     */
    List<String> run(String command, Duration timeout) {
        ensureSession();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            stdin.write((command + ";\n\\echo " + END + " :ERROR :LAST_ERROR_MESSAGE\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            List<String> reply = new ArrayList<>();
            while (true) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    close();
                    throw new TimedOut("PgBouncer " + address() + " did not finish '" + command + "' within "
                            + timeout.toMillis() + " ms");
                }
                if (line.equals(EOF)) {
                    close();
                    throw new RouterException("psql's session on PgBouncer " + address() + " ended during '" + command
                            + "'" + (reply.isEmpty() ? "" : ": " + String.join(" ", reply)) + "; check"
                            + " cutover.router.admin-host/admin-port/admin-user and that the user is in admin_users");
                }
                if (line.startsWith(END + " ")) {
                    String[] status = line.substring(END.length() + 1).split(" ", 2);
                    if ("true".equals(status[0])) {
                        throw new RouterException("PgBouncer " + address() + " refused '" + command + "': "
                                + (status.length > 1 ? status[1] : "unknown error"));
                    }
                    return reply;
                }
                reply.add(line);
            }
        } catch (IOException e) {
            close();
            throw new RouterException("lost psql's session on PgBouncer " + address() + " during '" + command + "': "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new RouterException("interrupted while running '" + command + "' on PgBouncer " + address(), e);
        }
    }

    /** Runs a {@code SHOW} command and returns its rows, column name to value. */
    List<Map<String, String>> rows(String command, Duration timeout) {
        List<String> reply = run(command, timeout);
        List<Map<String, String>> rows = new ArrayList<>();
        if (reply.isEmpty()) {
            return rows;
        }
        String[] header = reply.get(0).split("\t", -1);
        for (String line : reply.subList(1, reply.size())) {
            String[] values = line.split("\t", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < header.length && c < values.length; c++) {
                row.put(header[c], values[c]);
            }
            rows.add(row);
        }
        return rows;
    }

    /** Ends the psql session; never throws. */
    @Override
    public void close() {
        if (psql != null) {
            psql.destroy();
            try {
                if (!psql.waitFor(1, TimeUnit.SECONDS)) {
                    psql.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                psql.destroyForcibly();
            }
            psql = null;
        }
    }

    private void ensureSession() {
        if (psql != null && psql.isAlive()) {
            return;
        }
        List<String> cmd = List.of(config.psql(), "-X", "-q", "-A", "-F", "\t", "-P", "footer=off", "-h",
                config.adminHost(), "-p", Integer.toString(config.adminPort()), "-U", config.adminUser(), "-d", "pgbouncer");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", config.adminPassword());
        pb.environment().put("PGCONNECT_TIMEOUT", "5");
        try {
            psql = pb.start();
        } catch (IOException e) {
            throw new RouterException("cannot run " + config.psql() + " for PgBouncer's admin console: " + e.getMessage()
                    + "; install the PostgreSQL client (apt-get install postgresql-client) or set cutover.router.psql", e);
        }
        stdin = psql.getOutputStream();
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        lines = queue;
        Process p = psql;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    queue.add(line);
                }
            } catch (IOException e) {
                queue.add("psql output unreadable: " + e.getMessage());
            }
            queue.add(EOF);
        }, "bluegreen-psql-reader");
        reader.setDaemon(true);
        reader.start();
    }
}
