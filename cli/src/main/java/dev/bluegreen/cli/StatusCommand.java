package dev.bluegreen.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.bluegreen.cli.status.StatusReport;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.config.PipelineConfigLoader;
import dev.bluegreen.core.endpoint.Endpoints;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bluegreen status}: what the pipeline has done, the last verify, the newest cutover and the
 * route, read from green's control schema (so it works from any machine that reaches green), and what
 * to do next. Read-only: it never takes the coordinator's lock.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show per-table snapshot progress, events applied, replication lag and dead letters;",
                "the last verify (result, tables, report folder); the newest cutover (outcome or running phase,",
                "freeze window, report) and the route; and what to do next."})
final class StatusCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "pipeline config file (YAML)")
    Path config;

    @Override
    public Integer call() {
        PipelineConfig pc = new PipelineConfigLoader().load(config);
        try (HikariDataSource green = Endpoints.pool(pc.green(), pc.name() + "-status", 1, ErrorCode.GREEN_UNAVAILABLE);
             Connection c = green.getConnection()) {
            long now = System.currentTimeMillis();
            System.out.print(StatusReport.read(c, pc, config.toString(), now).render(Instant.ofEpochMilli(now)));
            return 0;
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.GREEN_UNAVAILABLE, "cannot read the status from green: "
                    + e.getMessage() + "; has 'bluegreen run' ever started for this config?", e);
        }
    }
}
