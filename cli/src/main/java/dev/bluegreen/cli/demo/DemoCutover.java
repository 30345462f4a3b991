package dev.bluegreen.cli.demo;

import static dev.bluegreen.cli.demo.Demo.say;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bluegreen.cli.BluegreenCli;
import dev.bluegreen.cli.pipeline.Drain;
import dev.bluegreen.cli.pipeline.Pipeline;
import dev.bluegreen.testkit.LocalPgBouncer;
import dev.bluegreen.testkit.LocalPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's second act, once green matched blue: the application's role, a real PgBouncer in front of
 * blue, the cutover section in the config file, {@code bluegreen verify} and {@code bluegreen cutover}
 * run through the real commands while the {@link Probe} application writes through PgBouncer, then the
 * proof that no acknowledged write was lost. Figures and failed proofs go to the {@link DemoSummary}.
 * Not thread-safe; {@link #close()} stops PgBouncer (unless {@code --keep}).
 */
final class DemoCutover implements AutoCloseable {

    /** The application's login role on blue and green. */
    static final String APP_ROLE = "demo_app";

    /** The sub-folder of the work folder holding the verify and cutover reports; kept at clean-up. */
    static final String REPORTS = "reports";

    private static final String DATABASE = "bench";
    private static final int ACKS_BEFORE_CUTOVER = 100;
    private static final Duration AFTER_CUTOVER = Duration.ofSeconds(1);

    private final LocalPostgres blue;
    private final LocalPostgres green;
    private final LocalPgBouncer bouncer;
    private final Path config;
    private final Path reports;
    private final DemoSummary summary;
    private final boolean keep;

    private DemoCutover(LocalPostgres blue, LocalPostgres green, LocalPgBouncer bouncer, Path config, Path reports,
                        DemoSummary summary, boolean keep) {
        this.blue = blue;
        this.green = green;
        this.bouncer = bouncer;
        this.config = config;
        this.reports = reports;
        this.summary = summary;
        this.keep = keep;
    }

    /**
     * Creates the application role, starts PgBouncer under {@code <work>/servers} and appends the cutover
     * section to {@code config}.
     *
     * @param home the bluegreen folder (holds {@code deploy/local/pgbouncer.sh})
     * @throws IllegalStateException when PgBouncer does not start (the script's output is in the message)
     */
    static DemoCutover prepare(Path home, Path work, Path config, LocalPostgres blue, LocalPostgres green,
                               DemoSummary summary, boolean keep) throws SQLException, IOException {
        say("creating the application's login role " + APP_ROLE + ": it may write blue's pgbench tables, nothing on"
                + " green (the cutover grants it that)");
        blue.execute(DATABASE, "CREATE ROLE " + APP_ROLE + " LOGIN");
        blue.execute(DATABASE, "GRANT SELECT, INSERT, UPDATE, DELETE ON public.pgbench_accounts, public.pgbench_branches,"
                + " public.pgbench_tellers, public.pgbench_history TO " + APP_ROLE);
        blue.execute(DATABASE, "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO " + APP_ROLE);
        green.execute(DATABASE, "CREATE ROLE " + APP_ROLE + " LOGIN");
        say("starting PgBouncer in front of blue (the application connects through it; the cutover repoints it)");
        LocalPgBouncer bouncer = LocalPgBouncer.start(DATABASE, blue, DATABASE, work.resolve("servers"), home, APP_ROLE);
        try {
            DemoConfigFile.appendCutover(config, Map.of("APP_ROLE", APP_ROLE, "DATABASE", DATABASE, "PGBOUNCER_PORT",
                    Integer.toString(bouncer.port()), "PGBOUNCER_INI", DemoConfigFile.singleQuoted(
                            bouncer.configFile().toString())));
        } catch (IOException | RuntimeException e) {
            bouncer.close();
            throw e;
        }
        say("added the cutover section to " + config + "; with --keep, run ./bluegreen status|verify|cutover --config "
                + config + " by hand (cutover also needs ./bluegreen run --config " + config + " running)");
        summary.cutover("PgBouncer in front of blue", "127.0.0.1:" + bouncer.port() + " (" + bouncer.folder() + ")");
        return new DemoCutover(blue, green, bouncer, config, work.resolve(REPORTS), summary, keep);
    }

    /**
     * Runs {@code bluegreen verify} (the cutover's pre-check needs a recent complete parity pass).
     *
     * @return true on parity (exit 0); otherwise the failure is in the summary
     */
    boolean verify() {
        Path dir = reports.resolve("verify");
        say("bluegreen verify --config " + config + " --report " + dir);
        long t = System.nanoTime();
        int exit = BluegreenCli.execute("verify", "--config", config.toString(), "--report", dir.toString());
        long ms = (System.nanoTime() - t) / 1_000_000;
        say("parity report: " + dir.resolve("parity-report.json") + " and " + dir.resolve("parity-report.html"));
        summary.cutover("bluegreen verify", (exit == 0 ? "parity" : "exit " + exit + " (0 is parity)") + ", " + ms + " ms");
        summary.cutover("parity report", dir.resolve("parity-report.html") + " (and .json)");
        if (exit != 0) {
            summary.fail("bluegreen verify exited " + exit + " instead of 0 (parity); the cutover was not attempted");
        }
        return exit == 0;
    }

    /**
     * Starts the probe application, runs {@code bluegreen cutover} (final check included) while it writes,
     * stops it {@link #AFTER_CUTOVER} later, drains, and checks that green holds every probe write blue
     * acknowledged.
     *
     * @throws IllegalStateException when the probe cannot commit through PgBouncer before the cutover
     */
    void cutoverUnderProbe(Pipeline pipeline) throws Exception {
        Path dir = reports.resolve("cutover");
        say("starting the probe application: one transaction every " + Probe.INTERVAL_MS + " ms through PgBouncer as "
                + APP_ROLE + ", in blue's schema on blue and green's on green");
        Probe probe = new Probe(bouncer.jdbcUrl(), APP_ROLE, blue.port(), green.port()).start();
        int exit;
        long cutoverMs;
        try {
            probe.awaitAcks(ACKS_BEFORE_CUTOVER, Duration.ofSeconds(30));
            say("bluegreen cutover --config " + config + " --report " + dir + " (while the probe writes)");
            long started = System.nanoTime();
            exit = BluegreenCli.execute("cutover", "--config", config.toString(), "--report", dir.toString());
            cutoverMs = (System.nanoTime() - started) / 1_000_000;
            Thread.sleep(AFTER_CUTOVER.toMillis());
        } finally {
            probe.close();
        }
        recordCutover(dir, exit, cutoverMs);
        recordProbe(probe);
        say("waiting until every change committed on blue is in green, then checking the probe's writes");
        Drain.await(pipeline, Duration.ofMinutes(1));
        List<Probe.Ack> blueAcks = probe.acksOn(blue.port());
        List<String> problems;
        try (Connection b = blue.connect(DATABASE); Connection g = green.connect(DATABASE)) {
            problems = ProbeCheck.problems(blueAcks, b, g);
        }
        summary.cutover("probe writes blue acked, found in green", problems.isEmpty()
                ? blueAcks.size() + " of " + blueAcks.size() : "NO: " + problems.size() + " problem(s)");
        problems.forEach(p -> summary.fail("probe write: " + p));
    }

    private void recordCutover(Path dir, int exit, long ms) throws IOException {
        Path file = dir.resolve("cutover-report.json");
        JsonNode report = Files.exists(file) ? new ObjectMapper().readTree(file.toFile()) : null;
        String outcome = report == null ? "refused" : report.get("outcome").asText();
        summary.cutover("bluegreen cutover", outcome + " (exit " + exit + "), " + ms + " ms");
        JsonNode freeze = report == null ? null : report.get("freezeMs");
        summary.cutover("freeze window (cutover-report.json)", freeze == null || freeze.isNull() ? "none"
                : String.format(Locale.ROOT, "%.1f ms", freeze.asDouble()));
        summary.cutover("cutover report", report == null ? "none (refused before it began; see its error above)"
                : file + " (and .txt)");
        if (!"flipped".equals(outcome) || exit != 0) {
            summary.fail("the cutover did not flip: " + outcome + " (exit " + exit + ")"
                    + (report == null ? "" : ": " + report.get("message").asText()));
        }
    }

    private void recordProbe(Probe probe) {
        int onBlue = probe.acksOn(blue.port()).size();
        int onGreen = probe.acksOn(green.port()).size();
        List<String> errors = probe.errors();
        summary.cutover("probe: longest gap between two acks", probe.longestGapMs() + " ms (the pause a client felt;"
                + " one transaction every " + Probe.INTERVAL_MS + " ms)");
        summary.cutover("probe writes acked", "blue " + onBlue + ", green " + onGreen);
        summary.cutover("probe errors", errors.isEmpty() ? "0" : errors.size() + ", first: " + errors.get(0));
        if (!errors.isEmpty()) {
            summary.fail("the probe application saw " + errors.size() + " error(s); first: " + errors.get(0));
        }
        if (onGreen == 0) {
            summary.fail("no probe write was acknowledged by green: PgBouncer still routes to blue");
        }
    }

    /** Stops PgBouncer, or with {@code --keep} leaves it running (pointing at green after a flip). */
    @Override
    public void close() {
        if (keep) {
            bouncer.keepRunning();
            say("--keep: PgBouncer left running on 127.0.0.1:" + bouncer.port() + " (" + bouncer.folder() + ")");
        } else {
            bouncer.close();
        }
    }
}
