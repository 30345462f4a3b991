package dev.bluegreen.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import org.junit.jupiter.api.Test;

class SwitchableDataSourceConfigTest {

    private static SwitchableDataSourceConfig.Builder valid() {
        return SwitchableDataSourceConfig.builder()
                .pipeline("shop")
                .control("jdbc:postgresql://127.0.0.1:5433/shop", "app", "secret-control")
                .blue("jdbc:postgresql://127.0.0.1:5434/shop", "app", "secret-blue")
                .green("jdbc:postgresql://127.0.0.1:5433/shop", "app", "secret-green")
                .initialTarget(Target.BLUE);
    }

    @Test
    void defaultsArePinned() {
        SwitchableDataSourceConfig config = valid().build();

        assertThat(config.freezeWaitMs()).isEqualTo(10_000);
        assertThat(config.drainDeadlineMs()).isEqualTo(2_000);
        assertThat(config.retireGraceMs()).isEqualTo(30_000);
        assertThat(config.poolConfig(Target.GREEN).getJdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5433/shop");
        assertThat(config.poolConfig(Target.BLUE).getUsername()).isEqualTo("app");
    }

    @Test
    void everyProblemIsListedOnce() {
        assertThatThrownBy(() -> SwitchableDataSourceConfig.builder()
                .pipeline("shop")
                .control("jdbc:mysql://x/y", null, null)
                .blue(new HikariConfig())
                .freezeWaitMs(0)
                .drainDeadlineMs(-1)
                .retireGraceMs(-1)
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid switchable DataSource settings for pipeline 'shop': ")
                .hasMessageContaining("control URL must be a PgJDBC URL")
                .hasMessageContaining("blue pool settings name no database")
                .hasMessageContaining("green pool settings are missing")
                .hasMessageContaining("initial target is missing")
                .hasMessageContaining("freezeWaitMs must be greater than 0, got 0")
                .hasMessageContaining("drainDeadlineMs must be 0 or more, got -1")
                .hasMessageContaining("retireGraceMs must be 0 or more, got -1");
    }

    @Test
    void poolSettingsAreCopiedInAndOut() {
        HikariConfig blue = new HikariConfig();
        blue.setJdbcUrl("jdbc:postgresql://127.0.0.1:5434/shop");
        blue.setMaximumPoolSize(4);
        SwitchableDataSourceConfig config = valid().blue(blue).build();

        blue.setMaximumPoolSize(40);
        config.blue().setMaximumPoolSize(50);

        assertThat(config.poolConfig(Target.BLUE).getMaximumPoolSize()).isEqualTo(4);
    }

    @Test
    void toStringHasNoPasswords() {
        assertThat(valid().build().toString())
                .contains("pipeline=shop", "initialTarget=blue")
                .doesNotContain("secret");
    }
}
