package dev.bluegreen.capture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BlueSetupTest {

    @Test
    void zeroDatesAllowedByBluesSqlModeAreWarnedAboutWithTheFix() {
        // MariaDB 10.11's default sql_mode: zero dates allowed
        assertThat(BlueSetup.zeroDateWarning("STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,"
                + "NO_ENGINE_SUBSTITUTION")).hasValueSatisfying(w -> assertThat(w)
                .contains("NO_ZERO_DATE and NO_ZERO_IN_DATE").contains("NULL").contains("SET GLOBAL sql_mode")
                .contains(",NO_ZERO_DATE,NO_ZERO_IN_DATE'"));
        assertThat(BlueSetup.zeroDateWarning("no_zero_date")).hasValueSatisfying(w -> assertThat(w)
                .contains("lacks NO_ZERO_IN_DATE:").doesNotContain("NO_ZERO_DATE and"));
        assertThat(BlueSetup.zeroDateWarning("")).isPresent();
        assertThat(BlueSetup.zeroDateWarning(null)).isPresent();
    }

    @Test
    void noWarningWhenBlueRefusesZeroDates() {
        assertThat(BlueSetup.zeroDateWarning("STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE")).isEmpty();
        assertThat(BlueSetup.zeroDateWarning("TRADITIONAL,NO_ZERO_DATE, NO_ZERO_IN_DATE")).isEmpty();
    }
}
