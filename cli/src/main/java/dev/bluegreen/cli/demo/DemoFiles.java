package dev.bluegreen.cli.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removes the demo's work folder, or all of it but one sub-folder. Stateless. */
final class DemoFiles {

    private DemoFiles() {
    }

    /** Deletes {@code dir} and everything under it; nothing when it does not exist. */
    static void wipe(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Deletes everything in {@code dir} except its child {@code kept} (e.g. the reports). */
    static void wipeAllBut(Path dir, String kept) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.filter(c -> !c.getFileName().toString().equals(kept)).toList()) {
                wipe(child);
            }
        }
    }
}
