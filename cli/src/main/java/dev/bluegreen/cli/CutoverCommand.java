package dev.bluegreen.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.bluegreen.cli.pipeline.PipelineFinalCheck;
import dev.bluegreen.cli.pipeline.PipelineValidator;
import dev.bluegreen.cli.pipeline.ValidatedPipeline;
import dev.bluegreen.core.config.CutoverConfig;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.config.PipelineConfigLoader;
import dev.bluegreen.core.control.ControlSchema;
import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.endpoint.Endpoints;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.cutover.coordinator.CutoverCoordinator;
import dev.bluegreen.cutover.coordinator.CutoverHooks;
import dev.bluegreen.cutover.coordinator.CutoverReport;
import dev.bluegreen.cutover.coordinator.CutoverStep;
import dev.bluegreen.cutover.coordinator.CutoverTable;
import dev.bluegreen.cutover.finalcheck.ChangedRowsCheck;
import dev.bluegreen.cutover.router.CommandRouter;
import dev.bluegreen.cutover.router.DataSourceRouter;
import dev.bluegreen.cutover.router.PgBouncerRouter;
import dev.bluegreen.cutover.router.Router;
import dev.bluegreen.transform.RowTransform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bluegreen cutover}: the coordinator (see {@link CutoverCoordinator}). Writes
 * {@code cutover-report.json} and {@code cutover-report.txt} into the report folder and records the run
 * in green. Exit codes: 0 flipped (or, with {@code --dry-run}, every pre-check passed), 1 aborted or a
 * pre-check failed in a dry run (the application stays on blue), 2 refused (config, another coordinator,
 * a failed pre-check), 3 a server failed.
 */
@Command(name = "cutover", mixinStandardHelpOptions = true,
        description = {"Cut the application over from blue to green: pre-checks, freeze, fence, drain, flip.",
                "Exit code 0 flipped, 1 aborted (still on blue), 2 refused, 3 a server failed."})
final class CutoverCommand implements Callable<Integer> {

    /** Connections per side, all opened at the start. */
    private static final int POOL = 10;

    @Option(names = "--config", required = true, description = "pipeline config file (YAML) with a cutover section")
    Path config;

    @Option(names = "--dry-run", description = "run every pre-check and print the plan; change nothing")
    boolean dryRun;

    @Option(names = "--max-freeze-ms", paramLabel = "MS", description = "abort if the freeze would last longer"
            + " (default: cutover.max-freeze-ms, 1000)")
    Long maxFreezeMs;

    @Option(names = "--drain-timeout-ms", paramLabel = "MS", description = "abort if the sink has not applied the"
            + " fence by then (default: cutover.drain-timeout-ms, 800)")
    Long drainTimeoutMs;

    @Option(names = "--skip-final-verify", description = "do not verify the rows changed since the last parity pass")
    boolean skipFinalVerify;

    @Option(names = "--hold-in-freeze-ms", paramLabel = "MS", hidden = true, description = "fault drills and tests:"
            + " wait this long inside the freeze, after the locks and before the fence")
    long holdInFreezeMs;

    @Option(names = "--report", paramLabel = "DIR", description = "folder for cutover-report.json and .txt"
            + " (default: <work-dir>/cutover)")
    Path reportDir;

    @Override
    public Integer call() {
        PipelineConfig pc = new PipelineConfigLoader().load(config);
        if (pc.cutover() == null) {
            throw new BluegreenException(ErrorCode.CONFIG_INVALID, config + " has no 'cutover' section; add one with"
                    + " application-role and router (see README, \"Cutover\")");
        }
        CutoverConfig cc = pc.cutover().withLimits(maxFreezeMs == null ? null : Duration.ofMillis(maxFreezeMs),
                drainTimeoutMs == null ? null : Duration.ofMillis(drainTimeoutMs));
        // every connection the freeze may use is opened before it (a new one costs 10-20 ms): inside it the
        // coordinator holds 3 blue and 1 green, the final check reads 6 batches at once on both
        try (HikariDataSource blue = Endpoints.pool(pc.blue(), pc.name() + "-cutover-blue", POOL, POOL,
                ErrorCode.BLUE_UNAVAILABLE);
             HikariDataSource green = Endpoints.pool(pc.green(), pc.name() + "-cutover-green", POOL, POOL,
                     ErrorCode.GREEN_UNAVAILABLE)) {
            ValidatedPipeline v = PipelineValidator.validate(pc, blue, green);
            ControlSchema.migrate(green);
            List<RowTransform> transforms = new ArrayList<>();
            for (var m : pc.tables()) {
                transforms.add(v.transforms().get(m.blue()));
            }
            Router router = router(pc, cc, blue, green);
            CutoverReport report;
            try (ChangedRowsCheck finalCheck = skipFinalVerify ? null : PipelineFinalCheck.of(v, blue, green)) {
                report = new CutoverCoordinator(pc, cc, blue, green, router, CutoverTable.of(transforms), finalCheck,
                        CutoverCommand::print, hooks(), Clock.systemUTC()).run(dryRun);
            }
            Path dir = reportDir != null ? reportDir : pc.workDir().resolve("cutover");
            write(report, dir);
            System.out.println();
            System.out.print(report.toText());
            System.out.println("reports: " + dir.resolve("cutover-report.json") + ", " + dir.resolve("cutover-report.txt"));
            boolean ok = report.flipped() || (report.dryRun() && report.message().startsWith("dry run"));
            return ok ? 0 : 1;
        }
    }

    private static Router router(PipelineConfig pc, CutoverConfig cc, HikariDataSource blue, HikariDataSource green) {
        Engine blueEngine = Engine.of(pc.blue());
        if (cc.router() instanceof CutoverConfig.PgBouncer p) {
            if (blueEngine != Engine.POSTGRESQL) {
                throw new BluegreenException(ErrorCode.CONFIG_INVALID, "cutover.router: pgbouncer fronts PostgreSQL"
                        + " only, and blue is " + blueEngine.displayName() + "; use router type datasource (the"
                        + " switchable DataSource in the application) or command");
            }
            return new PgBouncerRouter(p);
        }
        if (cc.router() instanceof CutoverConfig.DataSourceRoute d) {
            return new DataSourceRouter(d, pc.name(), green, blue, blueEngine, cc.applicationRole());
        }
        CutoverConfig.Command c = (CutoverConfig.Command) cc.router();
        if (cc.freeze() == CutoverConfig.Freeze.ROUTER_PAUSE) {
            throw new BluegreenException(ErrorCode.CONFIG_INVALID, "cutover.freeze: router-pause needs a router that can"
                    + " pause (pgbouncer or datasource); the command router cannot: use freeze: lock");
        }
        return new CommandRouter(c, pc.name());
    }

    private CutoverHooks hooks() {
        if (holdInFreezeMs <= 0) {
            return CutoverHooks.NONE;
        }
        long hold = holdInFreezeMs;
        return new CutoverHooks() {
            @Override
            public void afterFreeze() throws InterruptedException {
                System.out.println("holding the freeze for " + hold + " ms (--hold-in-freeze-ms)");
                System.out.flush();
                Thread.sleep(hold);
            }
        };
    }

    private static void print(CutoverStep s) {
        System.out.printf(Locale.ROOT, "%-8s %-28s %9.1f ms  %s%n", s.outcome(), s.name(), s.durationMs(),
                s.detail() == null ? "" : s.detail());
        System.out.flush();
    }

    private static void write(CutoverReport report, Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("cutover-report.json"), report.toJson(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("cutover-report.txt"), report.toText(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BluegreenException(ErrorCode.CONFIG_INVALID, "the cutover ended (" + report.outcome()
                    + ") but its report could not be written to " + dir + ": " + e.getMessage(), e);
        }
    }
}
