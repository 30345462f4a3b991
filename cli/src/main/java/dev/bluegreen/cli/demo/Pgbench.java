package dev.bluegreen.cli.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs PostgreSQL's {@code pgbench} against blue's {@code bench} database. */
final class Pgbench {

    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+)");

    private final Path binDir;
    private final int port;
    private final Path log;

    Pgbench(Path binDir, int port, Path work) {
        this.binDir = binDir;
        this.port = port;
        this.log = work.resolve("pgbench.log");
    }

    Path logFile() {
        return log;
    }

    void initialize(int scale) throws IOException, InterruptedException {
        Process p = process(List.of("-i", "-q", "-s", Integer.toString(scale), "bench")).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("pgbench -i failed (exit " + p.exitValue() + "); see " + log);
        }
    }

    Process startLoad(int clients, int seconds) throws IOException {
        return process(List.of("-n", "-c", Integer.toString(clients), "-j", Integer.toString(Math.min(clients, 2)),
                "-T", Integer.toString(seconds), "bench")).start();
    }

    /** The tps pgbench reported at the end of the load run, as printed. */
    String tps() throws IOException {
        Matcher m = TPS.matcher(Files.readString(log));
        String last = "?";
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }

    private ProcessBuilder process(List<String> args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(binDir.resolve("pgbench").toString(),
                "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres"));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }
}
