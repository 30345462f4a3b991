package dev.bluegreen.cli.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records and maps a real class archive with child JVMs of this Java, on this test's class path. */
class ClassArchiveTest {

    /** The child: loads a few JDK classes beyond the default archive's and exits. */
    public static final class Child {
        public static void main(String[] args) {
            System.out.println(new java.util.concurrent.ConcurrentSkipListMap<String, String>().getClass().getName());
        }
    }

    @TempDir
    Path dir;

    /** A jar holding {@link Child}: JDK 17 archives no class path that has a folder. */
    private String childJar() throws Exception {
        Path jar = dir.resolve("child.jar");
        String entry = Child.class.getName().replace('.', '/') + ".class";
        try (var in = Child.class.getClassLoader().getResourceAsStream(entry);
                var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry(entry));
            in.transferTo(out);
        }
        return jar.toString();
    }

    @Test
    void aClassPathWithAFolderGetsNoArchive() {
        assertThat(ClassArchive.of("child", dir.toString(), dir.resolve("cds"))).isEmpty();
    }

    @Test
    void firstLaunchRecordsAndTheNextMapsTheArchive() throws Exception {
        String classPath = childJar();
        ClassArchive first = ClassArchive.of("child", classPath, dir).orElseThrow();
        assertThat(first.jvmOptions()).anyMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit=" + dir));
        assertThat(run(first.jvmOptions(), classPath)).isEqualTo(0);
        first.childExited(true);
        List<Path> archives = listIn(dir, "child-*.jsa");
        assertThat(archives).hasSize(1);
        assertThat(list("*.tmp")).isEmpty();

        ClassArchive second = ClassArchive.of("child", classPath, dir).orElseThrow();
        assertThat(second.jvmOptions()).contains("-XX:SharedArchiveFile=" + archives.get(0), "-XX:+VerifySharedSpaces");
        // -Xshare:on makes the child fail if it cannot map the archive
        List<String> strict = new ArrayList<>(second.jvmOptions());
        strict.add("-Xshare:on");
        assertThat(run(strict, classPath)).isEqualTo(0);
        second.childExited(true);
        assertThat(listIn(dir, "child-*.jsa")).isEqualTo(archives);
    }

    @Test
    void aRecordingOfAChildThatDidNotExitCleanlyIsDropped() throws Exception {
        String classPath = childJar();
        ClassArchive a = ClassArchive.of("child", classPath, dir).orElseThrow();
        assertThat(run(a.jvmOptions(), classPath)).isEqualTo(0);
        assertThat(list("*.tmp")).hasSize(1);
        a.childExited(false);
        assertThat(list("*.tmp")).isEmpty();
        assertThat(listIn(dir, "child-*.jsa")).isEmpty();
        assertThat(ClassArchive.of("child", classPath, dir).orElseThrow().jvmOptions())
                .anyMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit="));
    }

    @Test
    void anotherBuildsArchiveIsReplaced() throws Exception {
        Path jar = Files.writeString(dir.resolve("app.jar"), "one");
        Path cds = dir.resolve("cds");
        ClassArchive old = ClassArchive.of("child", jar.toString(), cds).orElseThrow();
        Files.writeString(Path.of(old.jvmOptions().get(0).substring("-XX:ArchiveClassesAtExit=".length())), "x");
        old.childExited(true);
        List<Path> before = listIn(cds, "*.jsa");
        assertThat(before).hasSize(1);

        Files.writeString(jar, "rebuilt"); // another size: another build
        ClassArchive rebuilt = ClassArchive.of("child", jar.toString(), cds).orElseThrow();
        assertThat(rebuilt.jvmOptions().get(0)).startsWith("-XX:ArchiveClassesAtExit=");
        Files.writeString(Path.of(rebuilt.jvmOptions().get(0).substring("-XX:ArchiveClassesAtExit=".length())), "y");
        rebuilt.childExited(true);
        List<Path> after = listIn(cds, "*.jsa");
        assertThat(after).hasSize(1).doesNotContainAnyElementsOf(before);
    }

    private int run(List<String> options, String classPath) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(options);
        cmd.addAll(List.of("-cp", classPath, Child.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child-" + System.nanoTime() + ".out").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        try (Stream<Path> outs = Files.list(dir)) {
            for (Path out : outs.filter(f -> f.getFileName().toString().endsWith(".out")).toList()) {
                assertThat(Files.readString(out)).as("child output").isEqualTo(
                        "java.util.concurrent.ConcurrentSkipListMap\n");
                Files.delete(out);
            }
        }
        return p.exitValue();
    }

    private List<Path> list(String glob) throws Exception {
        return listIn(dir, glob);
    }

    private static List<Path> listIn(Path d, String glob) throws Exception {
        List<Path> out = new ArrayList<>();
        try (var s = Files.newDirectoryStream(d, glob)) {
            s.forEach(out::add);
        }
        return out;
    }
}
