package dev.bluegreen.cli;

import dev.bluegreen.cli.pipeline.Pipeline;
import dev.bluegreen.cli.pipeline.Role;
import dev.bluegreen.cli.status.BackfillProgressBars;
import dev.bluegreen.cli.status.SnapshotProgressBar;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.config.PipelineConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bluegreen run}: keeps green in step with blue until interrupted. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Copy blue's rows into green at one consistent point, then stream every change, until Ctrl-C.")
final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = "--config", required = true, description = "pipeline config file (YAML)")
    Path config;

    @Option(names = "--role", defaultValue = "all", paramLabel = "all|capture|apply",
            description = "all (default): capture, initial copy and sink in this process; capture: capture and the"
                    + " initial copy (and the embedded broker) only; apply: the sink only, beside a capture process with"
                    + " the same config (with the embedded broker: on this machine). Capture goes on while the apply"
                    + " process is stopped or upgraded. Needs capture.snapshot copy or never.")
    Role role;

    @Override
    public Integer call() throws InterruptedException {
        PipelineConfig pc = new PipelineConfigLoader().load(config);
        LOG.info("{} - effective config: blue={}, green={}, kafka={}, capture={}, sink={}, {} table(s)", pc.name(),
                pc.blue(), pc.green(), pc.kafka().bootstrap(), pc.capture(), pc.sink(), pc.tables().size());
        CountDownLatch stop = new CountDownLatch(1);
        BackfillProgressBars bars = new BackfillProgressBars();
        Pipeline pipeline = new Pipeline(pc, bars, role);
        Thread hook = new Thread(() -> {
            stop.countDown();
            pipeline.close();
        }, "bluegreen-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        pipeline.start();
        System.out.println("pipeline '" + pc.name() + "' running" + (role == Role.ALL ? ""
                : " (this process: " + role.name().toLowerCase(java.util.Locale.ROOT) + ")")
                + " (Ctrl-C stops it; `bluegreen status --config " + config + "` shows progress)");
        boolean debeziumSnapshot = "initial".equals(pc.capture().snapshot());
        try (bars; SnapshotProgressBar bar = new SnapshotProgressBar(pipeline)) {
            while (stop.getCount() > 0) {
                pipeline.checkHealthy();
                if (debeziumSnapshot) {
                    bar.update(); // the copy (capture.snapshot: copy) draws one bar per table itself
                }
                stop.await(500, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        } finally {
            pipeline.close();
        }
        return 0;
    }
}
