package dev.bluegreen.cli.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dynamic AppCDS archive (JDK 13+, JEP 350 "Dynamic CDS Archiving") for one kind of child JVM
 * that bluegreen launches, here the embedded Kafka broker: the first launch records the classes it
 * loaded into an archive when it exits ({@code -XX:ArchiveClassesAtExit}), every later launch maps
 * them ({@code -XX:SharedArchiveFile}) instead of loading, verifying and linking them again. On this
 * project's 2-core machine the broker's start went from 2.6-2.9 s to 1.2-1.3 s; recording costs
 * about 3.5 s once, at that first broker's exit (measured 2026-12-02, bench/README.md).
 *
 * <p>Archives live in {@code $BLUEGREEN_CACHE_DIR/cds}, else {@code $XDG_CACHE_HOME/bluegreen/cds},
 * else {@code ~/.cache/bluegreen/cds}, one file per kind, Java build and class path (entries with
 * their size and modification time, so a rebuilt jar gets a new archive). {@code BLUEGREEN_CDS=off}
 * turns archives off. An archive is recorded under a unique temporary name and moved into place only
 * after the JVM exited from a SIGTERM within its stop timeout, so a killed JVM never leaves a partial
 * archive behind; every launch that maps one passes {@code -XX:+VerifySharedSpaces} (its checksums
 * cost no measurable start time) and a JVM that cannot map its archive starts without it. The JVM's
 * own CDS log lines are turned off, so a mismatch never reaches the child's output.
 *
 * <p>One instance per launch; not thread-safe. Never throws: an unwritable cache folder disables the
 * archive (logged at debug level).
 */
final class ClassArchive {

    private static final Logger LOG = LoggerFactory.getLogger(ClassArchive.class);
    private static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");

    private final String kind;
    private final Path archive;
    private final Path recording;

    private ClassArchive(String kind, Path archive, Path recording) {
        this.kind = kind;
        this.archive = archive;
        this.recording = recording;
    }

    /**
     * The archive for child JVMs of {@code kind} that run this JVM's Java with {@code classPath}.
     *
     * @param kind a file-name-safe word naming the child, e.g. {@code broker}
     * @param classPath the child's class path, entries separated by {@link File#pathSeparator}
     * @return the archive, or empty when archives are off, a class path entry is not a file (a folder) or
     *     the cache folder cannot be created
     */
    static Optional<ClassArchive> of(String kind, String classPath) {
        if ("off".equalsIgnoreCase(System.getenv("BLUEGREEN_CDS"))) {
            return Optional.empty();
        }
        return of(kind, classPath, cacheDir().resolve("cds"));
    }

    /** {@link #of(String, String)} with the archives in {@code dir}. */
    static Optional<ClassArchive> of(String kind, String classPath, Path dir) {
        List<String> entries = List.of(classPath.split(Pattern.quote(File.pathSeparator), -1));
        for (String entry : entries) {
            if (!Files.isRegularFile(Path.of(entry))) {
                // JDK 17 records no archive for a class path with a folder ("Cannot have non-empty directory
                // in paths" at exit), e.g. target/classes in a Maven test run; the fat jar has none
                LOG.debug("no class archive for the {}: class path entry {} is not a jar", kind, entry);
                return Optional.empty();
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            LOG.debug("no class archive for the {}: cannot create {}: {}", kind, dir, e.toString());
            return Optional.empty();
        }
        removeAbandonedRecordings(dir, kind);
        Path archive = dir.resolve(kind + "-" + key(entries) + ".jsa");
        Path recording = Files.isRegularFile(archive) ? null
                : dir.resolve(archive.getFileName() + "." + UUID.randomUUID() + ".tmp");
        return Optional.of(new ClassArchive(kind, archive, recording));
    }

    /** The JVM options that map the archive, or record it when there is none yet. */
    List<String> jvmOptions() {
        if (recording == null) {
            return concat("-XX:SharedArchiveFile=" + archive, "-XX:+VerifySharedSpaces");
        }
        return concat("-XX:ArchiveClassesAtExit=" + recording);
    }

    /**
     * Call once the child has exited. When this launch recorded and the child exited cleanly, moves the
     * recording into place (and removes the kind's archives of other builds); otherwise deletes it.
     *
     * @param clean whether the child exited by itself after SIGTERM (not killed, not crashed at start)
     */
    void childExited(boolean clean) {
        if (recording == null) {
            return;
        }
        try {
            if (clean && Files.size(recording) > 0) {
                removeOtherBuilds();
                Files.move(recording, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                LOG.info("recorded the {}'s classes in {}: its next start maps them", kind, archive);
                return;
            }
        } catch (IOException e) {
            LOG.debug("could not keep the {}'s class archive {}: {}", kind, recording, e.toString());
        }
        try {
            Files.deleteIfExists(recording);
        } catch (IOException e) {
            LOG.debug("could not delete {}: {}", recording, e.toString());
        }
    }

    private void removeOtherBuilds() throws IOException {
        try (DirectoryStream<Path> old = Files.newDirectoryStream(archive.getParent(), kind + "-*.jsa")) {
            for (Path p : old) {
                if (!p.equals(archive)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Deletes recordings over a day old: their JVM was killed, or its parent was, before the move. */
    private static void removeAbandonedRecordings(Path dir, String kind) {
        long dayAgo = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(1);
        try (DirectoryStream<Path> recordings = Files.newDirectoryStream(dir, kind + "-*.tmp")) {
            for (Path p : recordings) {
                if (Files.getLastModifiedTime(p).toMillis() < dayAgo) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            LOG.debug("could not clean old recordings in {}: {}", dir, e.toString());
        }
    }

    private static List<String> concat(String... options) {
        List<String> out = new ArrayList<>(List.of(options));
        out.addAll(QUIET);
        return out;
    }

    private static Path cacheDir() {
        String own = System.getenv("BLUEGREEN_CACHE_DIR");
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "bluegreen");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "bluegreen");
    }

    /** Names the Java build and every class path entry with its size and modification time. */
    private static String key(List<String> classPathEntries) {
        StringBuilder identity = new StringBuilder(System.getProperty("java.home")).append('\n')
                .append(System.getProperty("java.vm.version")).append('\n');
        for (String entry : classPathEntries) {
            File f = new File(entry);
            identity.append(entry).append(' ').append(f.length()).append(' ').append(f.lastModified()).append('\n');
        }
        return UUID.nameUUIDFromBytes(identity.toString().getBytes(UTF_8)).toString();
    }
}
