package dev.bluegreen.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.bluegreen.cli.pipeline.PipelineValidator;
import dev.bluegreen.cli.pipeline.ValidatedPipeline;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.config.PipelineConfigLoader;
import dev.bluegreen.core.endpoint.Endpoints;
import dev.bluegreen.core.error.ErrorCode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bluegreen validate}: checks the config against the live schemas and changes nothing. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check the config and every mapping against the live blue and green schemas; changes nothing.")
final class ValidateCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "pipeline config file (YAML)")
    Path config;

    @Override
    public Integer call() {
        PipelineConfig pc = new PipelineConfigLoader().load(config);
        try (HikariDataSource blue = Endpoints.pool(pc.blue(), pc.name() + "-blue", 1, ErrorCode.BLUE_UNAVAILABLE);
             HikariDataSource green = Endpoints.pool(pc.green(), pc.name() + "-green", 1, ErrorCode.GREEN_UNAVAILABLE)) {
            ValidatedPipeline v = PipelineValidator.validate(pc, blue, green);
            System.out.println("config " + config + " is valid: pipeline '" + pc.name() + "', " + v.transforms().size()
                    + " blue table(s) into " + v.targetShapes().size() + " green table(s).");
            System.out.println("Next: bluegreen run --config " + config);
        }
        return 0;
    }
}
