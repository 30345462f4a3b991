package dev.bluegreen.datasource;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Applications put this module on their classpath, so its runtime dependencies must stay HikariCP, PgJDBC
 * and slf4j-api (and what those three pull themselves): never Debezium, Kafka, Jackson, Flyway or another
 * bluegreen module (style A.3). Reads the list the pom writes with {@code dependency:build-classpath}.
 */
class RuntimeClasspathTest {

    /** Artifact ids allowed at runtime; checker-qual comes with PgJDBC. */
    private static final Set<String> ALLOWED = Set.of("HikariCP", "postgresql", "slf4j-api", "checker-qual");
    private static final Pattern JAR = Pattern.compile("(.+?)-\\d[^/]*\\.jar");

    @Test
    void runtimeClasspathHoldsOnlyHikariPgJdbcAndSlf4j() throws IOException {
        String file = System.getProperty("bluegreen.runtimeClasspathFile");
        assertThat(file).as("system property bluegreen.runtimeClasspathFile (set by the module's surefire config)")
                .isNotBlank();
        List<String> artifacts = Arrays.stream(Files.readString(Path.of(file)).strip().split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .map(RuntimeClasspathTest::artifactId)
                .toList();

        assertThat(artifacts).as("the module's own dependencies").contains("HikariCP", "postgresql", "slf4j-api");
        assertThat(artifacts)
                .as("runtime classpath of bluegreen-datasource (from %s): applications depend on this module, so it"
                        + " may pull only HikariCP, PgJDBC and slf4j-api; make any other dependency <scope>test</scope>"
                        + " or <optional>true</optional>, or add it to ALLOWED if one of those three now needs it", file)
                .allMatch(ALLOWED::contains);
    }

    private static String artifactId(String entry) {
        String name = Path.of(entry).getFileName().toString();
        Matcher m = JAR.matcher(name);
        return m.matches() ? m.group(1) : name;
    }
}
