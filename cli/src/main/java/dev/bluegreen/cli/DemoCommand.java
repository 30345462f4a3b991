package dev.bluegreen.cli;

import dev.bluegreen.cli.demo.Demo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bluegreen demo}: the whole tool on throwaway local servers, in under two minutes: pipeline,
 * parity check and cutover. Exit code 0 when every proof held, 4 when one failed (green differs, the
 * cutover did not flip, the probe application saw an error or a write it had acknowledged is missing in
 * green), and the usual codes when a step fails.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start throwaway blue and green PostgreSQL servers, replicate pgbench's schema into an"
                + " overhauled one under live load, prove every row arrived, then run bluegreen verify and"
                + " bluegreen cutover through a real PgBouncer while a probe application writes; print a summary"
                + " and clean up.", "Exit code 0 when every proof held, 4 when one failed."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--scale", defaultValue = "1", description = "pgbench scale factor (100,000 accounts each; default ${DEFAULT-VALUE})")
    int scale;

    @Option(names = "--load-seconds", defaultValue = "30", description = "seconds of pgbench write load (default ${DEFAULT-VALUE})")
    int loadSeconds;

    @Option(names = "--clients", defaultValue = "4", description = "pgbench clients during the load (default ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--work-dir", description = "where servers and the pipeline keep data (default: .work/demo under the bluegreen folder)")
    Path workDir;

    @Option(names = "--keep", description = "leave servers, PgBouncer and data in place at the end")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        Path home = Path.of(System.getProperty("bluegreen.home", ".")).toAbsolutePath().normalize();
        Path work = workDir != null ? workDir.toAbsolutePath() : home.resolve(".work").resolve("demo");
        return new Demo(home, work, scale, loadSeconds, clients, keep).run() ? 0 : 4;
    }
}
