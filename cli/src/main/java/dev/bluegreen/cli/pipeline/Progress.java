package dev.bluegreen.cli.pipeline;

import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.dialect.Catalog;
import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Seeds green's progress rows at start (snapshot row estimates from blue's statistics) and records
 * the pipeline's run state. Stateless.
 */
final class Progress {

    private Progress() {
    }

    static void initialize(PipelineConfig config, DataSource blue, DataSource green) {
        try (Connection b = blue.getConnection(); Connection g = green.getConnection();
             PreparedStatement upsert = g.prepareStatement(
                     "INSERT INTO bluegreen.table_progress (pipeline, blue_table, snapshot_estimate) VALUES (?, ?, ?)"
                             + " ON CONFLICT (pipeline, blue_table) DO UPDATE SET snapshot_estimate ="
                             + " EXCLUDED.snapshot_estimate WHERE NOT bluegreen.table_progress.snapshot_done")) {
            Catalog catalog = Catalog.of(Engine.of(config.blue()), b);
            for (TableMapping m : config.tables()) {
                upsert.setString(1, config.name());
                upsert.setString(2, m.blue().toString());
                upsert.setLong(3, Math.max(0, catalog.estimateRows(m.blue())));
                upsert.executeUpdate();
            }
            setState(config, green, "running", null);
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.GREEN_UNAVAILABLE, "cannot record progress in green: "
                    + e.getMessage(), e);
        }
    }

    static void setState(PipelineConfig config, DataSource green, String state, String message) throws SQLException {
        try (Connection g = green.getConnection(); PreparedStatement ps = g.prepareStatement(
                "INSERT INTO bluegreen.pipeline_state (pipeline, state, message, updated_at) VALUES (?, ?, ?, now())"
                        + " ON CONFLICT (pipeline) DO UPDATE SET state = EXCLUDED.state, message = EXCLUDED.message,"
                        + " updated_at = now()")) {
            ps.setString(1, config.name());
            ps.setString(2, state);
            ps.setString(3, message);
            ps.executeUpdate();
        }
    }
}
