package dev.bluegreen.cli.status;

import dev.bluegreen.cli.pipeline.Pipeline;
import java.sql.Connection;
import java.sql.SQLException;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A terminal progress bar (rows copied of blue's estimate, with rate and ETA) shown while the
 * initial snapshot runs; it closes itself once every table's snapshot is done. Not thread-safe.
 */
public final class SnapshotProgressBar implements AutoCloseable {

    private final Pipeline pipeline;
    private ProgressBar bar;
    private boolean finished;

    /** A bar for the pipeline's snapshot; nothing shows until {@link #update}. */
    public SnapshotProgressBar(Pipeline pipeline) {
        this.pipeline = pipeline;
    }

    /** Refreshes from green's progress table; call every few hundred ms. */
    public void update() {
        if (finished) {
            return;
        }
        PipelineStatus s;
        try (Connection c = pipeline.green().getConnection()) {
            s = PipelineStatus.read(c, pipeline.config().name(), System.currentTimeMillis());
        } catch (SQLException e) {
            return; // progress display only; the pipeline reports real failures
        }
        long rows = s.tables().stream().mapToLong(PipelineStatus.TableStatus::snapshotRows).sum();
        long estimate = s.tables().stream().mapToLong(t -> Math.max(t.snapshotEstimate(), t.snapshotRows())).sum();
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName("snapshot").setInitialMax(Math.max(estimate, 1))
                    .setStyle(ProgressBarStyle.ASCII).setUnit(" rows", 1).showSpeed().build();
        }
        bar.maxHint(Math.max(estimate, rows));
        bar.stepTo(rows);
        if (s.snapshotDone()) {
            bar.maxHint(rows);
            close();
            finished = true;
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
