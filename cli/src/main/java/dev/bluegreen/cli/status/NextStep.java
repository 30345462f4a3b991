package dev.bluegreen.cli.status;

import dev.bluegreen.core.config.CutoverConfig;
import dev.bluegreen.cutover.coordinator.CutoverStore;
import java.time.Instant;
import java.util.Locale;

/**
 * What an on-call engineer should do next, from a {@link StatusReport}: the first of, in order, a
 * cutover running, a coordinator that died, a finished cutover, a stopped pipeline, dead letters, a
 * snapshot in progress, a missing, failed, mismatching, partial or stale verify, too much lag, an
 * aborted cutover; else "ready to cut over". Pure and stateless; the texts are for people, not parsers.
 */
final class NextStep {

    private NextStep() {
    }

    /** The advice, one or more sentences, without the leading {@code next: }. */
    static String advise(StatusReport s, Instant now) {
        String cfg = "--config " + s.configPath();
        CutoverSummary c = s.cutover();
        if (c != null && c.state() == CutoverSummary.State.RUNNING) {
            return "a cutover is running (run " + c.run().id() + ", phase " + c.run().phase() + "): watch it, do not"
                    + " stop the pipeline or start another cutover; the coordinator prints its report when it ends";
        }
        if (c != null && c.state() == CutoverSummary.State.DIED) {
            return died(c, s.cutoverConfig()) + " Then run bluegreen cutover " + cfg + " --dry-run (it marks run "
                    + c.run().id() + " failed), and cut over again when it passes.";
        }
        CutoverStore.Run real = c == null ? null : c.run().dryRun() ? c.lastReal() : c.run();
        String realOutcome = real == null ? null : real.outcome();
        if ("flipped".equals(realOutcome)) {
            String message = real.message() == null ? "" : real.message();
            int warning = message.indexOf("WARNING: ");
            return warning < 0 ? "nothing: the cutover is done, the application uses green and blue is read-only for it"
                    : "the cutover flipped (the application uses green) with a warning to act on: "
                            + message.substring(warning + "WARNING: ".length());
        }
        String pipeline = pipeline(s, cfg);
        if (pipeline != null) {
            return pipeline;
        }
        String verify = verify(s, cfg, now);
        if (verify != null) {
            return verify;
        }
        if (s.cutoverConfig() != null && s.pipeline().lagMs() > s.cutoverConfig().maxLag().toMillis()) {
            return "lag " + s.pipeline().lagMs() + " ms is over cutover.max-lag-ms " + s.cutoverConfig().maxLag().toMillis()
                    + ": wait for the sink to catch up before cutting over";
        }
        if ("aborted".equals(realOutcome) || "failed".equals(realOutcome)) {
            return "the last cutover " + realOutcome + " and the application stays on blue (reason above); when it is"
                    + " fixed: bluegreen cutover " + cfg + " --dry-run, then without --dry-run";
        }
        if (s.cutoverConfig() == null) {
            return "parity holds; to cut over, add a cutover section to " + s.configPath() + " (see the README)";
        }
        return "ready to cut over: bluegreen cutover " + cfg + " --dry-run, then without --dry-run";
    }

    /** The pipeline's own problems, or null when it runs with its snapshot done and no dead letters. */
    private static String pipeline(StatusReport s, String cfg) {
        PipelineStatus p = s.pipeline();
        if ("unknown".equals(p.state())) {
            return "start the pipeline: bluegreen run " + cfg;
        }
        if (!"running".equals(p.state())) {
            return "the pipeline is " + p.state() + (p.stateMessage() == null ? "" : " (" + p.stateMessage() + ")")
                    + ": fix the cause, then bluegreen run " + cfg + " (it resumes where it stopped)";
        }
        if (p.deadLetters() > 0) {
            return p.deadLetters() + " row(s) are in green's bluegreen.dead_letter: read their reason column, fix the"
                    + " mapping or the data, then replay them; green lacks those rows until then";
        }
        if (!p.snapshotDone()) {
            return "wait for the snapshot to finish (table above), then run bluegreen verify " + cfg;
        }
        return null;
    }

    /** The verify's problems, or null when a complete, recent enough parity pass is recorded. */
    private static String verify(StatusReport s, String cfg, Instant now) {
        VerifySummary v = s.verify();
        if (v == null) {
            return "run bluegreen verify " + cfg + " (a cutover needs a complete parity pass)";
        }
        switch (v.run().result()) {
            case "error":
                return "the last verify failed (error above): fix it, then run bluegreen verify " + cfg;
            case "mismatch":
                return v.run().mismatchedKeys() + " key(s) differ: read " + (v.run().reportDir() == null
                        ? "the verify's report" : v.run().reportDir() + "/parity-report.html")
                        + ", fix the cause, then run bluegreen verify " + cfg + " again";
            default:
                break;
        }
        if (!v.run().complete()) {
            return "the last verify covered only some tables: run a complete bluegreen verify " + cfg
                    + " (without --tables) before cutting over";
        }
        CutoverConfig cc = s.cutoverConfig();
        if (cc != null && v.age(now).compareTo(cc.parityMaxAge()) > 0) {
            return "the parity pass is " + Times.length(v.age(now)) + " old, over cutover.parity-max-age-minutes "
                    + cc.parityMaxAge().toMinutes() + ": run bluegreen verify " + cfg + " again";
        }
        return null;
    }

    /** What a coordinator that died in its phase left behind, and how to get out of it. */
    static String died(CutoverSummary c, CutoverConfig cc) {
        String phase = c.run().phase();
        String head = "the coordinator of run " + c.run().id() + " died in phase " + phase + ".";
        switch (phase) {
            case "precheck":
                return head + " It had changed nothing.";
            case "freeze":
            case "drain":
            case "final-check":
                return head + " Its locks on blue ended with its session, so blue takes writes again; nothing was"
                        + " flipped." + paused(cc);
            case "released":
                return head + " It had flipped and released the router: the application uses green. Blue's last steps"
                        + " may not have run, so blue may still take the application's writes (a PostgreSQL blue's freeze"
                        + " transaction rolled back with the session; a MariaDB blue's REVOKE may not have run): check"
                        + " that blue refuses them, else revoke them by hand (README, \"Cutover\").";
            default:
                return head + " It died at the flip, before releasing the router, which may already point at green:"
                        + " look where the application points (" + where(cc) + "). At green: the cutover happened, so"
                        + " make blue refuse the application's writes by hand (its freeze ended with the session). At"
                        + " blue: nothing routes to green, but green's writes were already granted to the application"
                        + " role: revoke them there." + paused(cc);
        }
    }

    /** What may still hold clients after a coordinator died, by router. */
    private static String paused(CutoverConfig cc) {
        if (cc == null || cc.freeze() != CutoverConfig.Freeze.ROUTER_PAUSE) {
            return "";
        }
        if (cc.router() instanceof CutoverConfig.PgBouncer p) {
            return " PgBouncer stays paused until told: if clients hang, run RESUME " + p.database()
                    + " on its admin console (psql -h " + p.adminHost() + " -p " + p.adminPort() + " -U " + p.adminUser() + " pgbouncer).";
        }
        if (cc.router() instanceof CutoverConfig.DataSourceRoute d) {
            return String.format(Locale.ROOT, " Switchable DataSources resume by themselves %d ms after the last"
                    + " keep-alive (the route lease).", d.lease().toMillis());
        }
        return "";
    }

    private static String where(CutoverConfig cc) {
        if (cc == null) {
            return "your router";
        }
        if (cc.router() instanceof CutoverConfig.PgBouncer p) {
            return "SHOW DATABASES on PgBouncer " + p.adminHost() + ":" + p.adminPort() + ", line " + p.database() + " of " + p.configFile();
        }
        if (cc.router() instanceof CutoverConfig.DataSourceRoute) {
            return "the route line above";
        }
        return "whatever your router command changed";
    }
}
