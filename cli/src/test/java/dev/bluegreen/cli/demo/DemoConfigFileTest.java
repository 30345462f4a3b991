package dev.bluegreen.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bluegreen.core.config.CutoverConfig;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.config.PipelineConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's config file is complete: it loads without environment variables, cutover section included. */
class DemoConfigFileTest {

    @TempDir
    Path dir;

    @Test
    void writtenFileLoadsWithThePortsAndThePgBouncerRouter() throws Exception {
        Path file = dir.resolve("demo.yaml");
        Path ini = dir.resolve("it's").resolve("pgbouncer.ini");
        DemoConfigFile.write(file, Map.of("BLUE_PORT", "40001", "GREEN_PORT", "40002"));
        DemoConfigFile.appendCutover(file, Map.of("APP_ROLE", "demo_app", "DATABASE", "bench", "PGBOUNCER_PORT",
                "40003", "PGBOUNCER_INI", DemoConfigFile.singleQuoted(ini.toString())));

        assertThat(Files.readString(file)).doesNotContain("${");
        PipelineConfig config = new PipelineConfigLoader(v -> null).load(file);
        assertThat(config.blue().jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:40001/bench");
        assertThat(config.green().jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:40002/bench");
        assertThat(config.workDir()).isEqualTo(dir.resolve("pipeline"));
        assertThat(config.tables()).hasSize(4);
        assertThat(config.cutover().applicationRole()).isEqualTo("demo_app");
        assertThat(config.cutover().freeze()).isEqualTo(CutoverConfig.Freeze.ROUTER_PAUSE);
        assertThat(config.cutover().router()).isEqualTo(new CutoverConfig.PgBouncer("127.0.0.1", 40003, "postgres", "",
                "bench", ini, "psql"));
    }

    @Test
    void aPlaceholderWithoutAValueIsNamed() {
        assertThatThrownBy(() -> DemoConfigFile.write(dir.resolve("demo.yaml"), Map.of("BLUE_PORT", "40001")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("${GREEN_PORT}");
    }
}
