package dev.bluegreen.testkit;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The end of one local server's life, shared by {@link LocalPostgres} and {@link LocalMariaDb}: a JVM shutdown
 * hook that stops the server should its owner not, an idempotent {@link #close()} that stops it through its
 * script and deletes its data folder and owner file, and {@link #keepRunning()}. Thread-safe: whichever of
 * close and the hook comes first stops the server, the other does nothing.
 */
final class ServerLifecycle {

    private final ServerScript script;
    private final Path dataDir;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;

    /**
     * @param hookName the shutdown hook thread's name, e.g. {@code local-postgres-green-41234-stop}
     */
    ServerLifecycle(ServerScript script, Path dataDir, String hookName) {
        this.script = requireNonNull(script, "script is null");
        this.dataDir = requireNonNull(dataDir, "dataDir is null");
        this.shutdownHook = new Thread(this::stopQuietly, hookName);
    }

    /** The hook to register with {@link Runtime#addShutdownHook} once the server runs. */
    Thread shutdownHook() {
        return shutdownHook;
    }

    /**
     * Stops the server and deletes its data folder and owner file, unless that was done already.
     *
     * @return true when this call stopped it, false when it was closed before
     * @throws IllegalStateException if the script fails to stop the server (the data folder is then kept)
     */
    boolean close() {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook may be running this very method
        }
        script.runOrThrow("stop", dataDir.toString());
        ServerScript.deleteTree(dataDir);
        ServerScript.deleteQuietly(script.ownerFile(dataDir));
        return true;
    }

    /** Removes the shutdown hook: the server outlives this JVM (the next start's orphan reaping stops it). */
    void keepRunning() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook runs (or ran) anyway
        }
    }

    private void stopQuietly() {
        if (closed.compareAndSet(false, true)) {
            script.stopAndDelete(dataDir);
        }
    }
}
