package dev.bluegreen.cutover.router;

import dev.bluegreen.core.config.CutoverConfig;
import dev.bluegreen.core.config.EndpointConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the user's command at the flip, for DNS, service meshes and anything else. The new target is
 * passed in the environment: {@code BLUEGREEN_TARGET} ({@code blue}/{@code green}),
 * {@code BLUEGREEN_TARGET_JDBC_URL}, {@code BLUEGREEN_TARGET_HOST}, {@code BLUEGREEN_TARGET_PORT},
 * {@code BLUEGREEN_TARGET_DATABASE}, and {@code BLUEGREEN_PIPELINE}. Exit status 0 means flipped;
 * anything else, or running past the timeout (the command is then killed), aborts the cutover. The
 * command's output goes to the log. It cannot pause clients. Not thread-safe.
 */
public final class CommandRouter implements Router {

    private static final Logger LOG = LoggerFactory.getLogger(CommandRouter.class);

    private final CutoverConfig.Command config;
    private final String pipeline;

    public CommandRouter(CutoverConfig.Command config, String pipeline) {
        this.config = config;
        this.pipeline = pipeline;
    }

    @Override
    public String describe() {
        return "command " + String.join(" ", config.command());
    }

    @Override
    public boolean canPause() {
        return false;
    }

    @Override
    public String check() {
        String program = config.command().get(0);
        if (program.contains("/")) {
            Path p = Path.of(program);
            if (!Files.isExecutable(p)) {
                throw new RouterException("router command '" + program + "' is not an executable file; fix"
                        + " cutover.router.command");
            }
        }
        return "command " + program + " found; runs at the flip with BLUEGREEN_TARGET* variables";
    }

    @Override
    public void pause(Duration timeout) {
        throw new RouterException("the command router cannot pause clients; use freeze: lock");
    }

    @Override
    public void flip(String targetName, EndpointConfig target) {
        ProcessBuilder pb = new ProcessBuilder(config.command()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("BLUEGREEN_PIPELINE", pipeline);
        env.put("BLUEGREEN_TARGET", targetName);
        env.put("BLUEGREEN_TARGET_JDBC_URL", target.jdbcUrl());
        env.put("BLUEGREEN_TARGET_HOST", target.host());
        env.put("BLUEGREEN_TARGET_PORT", Integer.toString(target.port()));
        env.put("BLUEGREEN_TARGET_DATABASE", target.database());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new RouterException("router command " + config.command() + " could not start: " + e.getMessage()
                    + "; fix cutover.router.command", e);
        }
        try {
            p.getOutputStream().close();
            if (!p.waitFor(config.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new RouterException("router command " + config.command() + " ran longer than "
                        + config.timeout().toMillis() + " ms (cutover.router.timeout-ms) and was killed");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!out.isEmpty()) {
                LOG.info("router command output: {}", out);
            }
            if (p.exitValue() != 0) {
                throw new RouterException("router command " + config.command() + " exited with " + p.exitValue()
                        + (out.isEmpty() ? "" : ": " + out) + "; the application was not flipped");
            }
        } catch (IOException e) {
            throw new RouterException("reading the router command's output failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new RouterException("interrupted while the router command ran; it was killed", e);
        }
    }

    @Override
    public void resume() {
        // nothing paused
    }

    @Override
    public void close() {
        // nothing held
    }
}
