package dev.bluegreen.cli.status;

import dev.bluegreen.core.event.TableId;
import dev.bluegreen.sink.backfill.Backfill;
import dev.bluegreen.sink.backfill.BackfillStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * One progress bar per blue table while the initial copy runs: rows copied of blue's estimate, rows/s and
 * ETA. On a terminal the bars redraw in place (the progressbar library's multi-line console output);
 * otherwise (logs, CI) each bar prints a line every 5 s. Thread-safe (the backfill's workers call it).
 */
public final class BackfillProgressBars implements Backfill.Listener, AutoCloseable {

    private final Map<TableId, ProgressBar> bars = new ConcurrentHashMap<>();
    private final boolean interactive = System.console() != null;

    @Override
    public void table(TableId table, int chunksLeft, int chunks, long rowsCopied, long estimateRows) {
        if (chunksLeft == 0) {
            return;
        }
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(table.toString())
                .setInitialMax(Math.max(1, Math.max(estimateRows, rowsCopied))).setUnit(" rows", 1).showSpeed()
                .setStyle(ProgressBarStyle.ASCII).startsFrom(rowsCopied, Duration.ZERO);
        if (!interactive) {
            b.setConsumer(new DelegatingProgressBarConsumer(System.out::println)).setUpdateIntervalMillis(5_000);
        }
        bars.put(table, b.build());
    }

    @Override
    public void rowsRead(TableId table, long rows) {
        ProgressBar bar = bars.get(table);
        if (bar != null) {
            synchronized (bar) {
                bar.stepBy(rows);
                if (bar.getCurrent() > bar.getMax()) {
                    bar.maxHint(-1); // past blue's estimate: no ETA rather than a wrong one
                }
            }
        }
    }

    @Override
    public void tableDone(TableId table) {
        ProgressBar bar = bars.remove(table);
        if (bar != null) {
            synchronized (bar) {
                bar.maxHint(bar.getCurrent());
                bar.close();
            }
        }
    }

    @Override
    public void indexBuilt(BackfillStore.DroppedIndex index, long ms) {
        System.out.println("built index " + index.name() + " on " + index.table() + " in " + ms + " ms");
    }

    /** Closes any bar still open (a failed or stopped copy). */
    @Override
    public void close() {
        bars.values().forEach(ProgressBar::close);
        bars.clear();
    }
}
