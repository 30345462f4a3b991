package dev.bluegreen.core.control;

import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * bluegreen's control schema in green (schema {@value #SCHEMA}): sink offsets, dead letters, table
 * progress, lag and run state. Created and upgraded with Flyway migrations shipped in this module
 * ({@code dev/bluegreen/core/control/migration}); its history table is
 * {@code bluegreen.control_schema_history}, apart from any history table of the application.
 */
public final class ControlSchema {

    /** Schema name in green. */
    public static final String SCHEMA = "bluegreen";

    private ControlSchema() {
    }

    /**
     * Creates or upgrades the control schema; idempotent.
     *
     * @throws BluegreenException (GREEN_UNAVAILABLE) when the migration fails
     */
    public static void migrate(DataSource green) {
        try {
            Flyway.configure()
                    .dataSource(green)
                    .schemas(SCHEMA)
                    .createSchemas(true)
                    .table("control_schema_history")
                    .locations("classpath:dev/bluegreen/core/control/migration")
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw new BluegreenException(ErrorCode.GREEN_UNAVAILABLE,
                    "could not create bluegreen's control schema '" + SCHEMA + "' in green: " + e.getMessage()
                            + "; the green user needs CREATE on the database", e);
        }
    }
}
