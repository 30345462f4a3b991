package dev.bluegreen.cutover.parity.recheck;

import dev.bluegreen.core.event.Row;
import dev.bluegreen.cutover.parity.Difference;
import dev.bluegreen.cutover.parity.ParitySettings;
import dev.bluegreen.cutover.parity.compare.Expectation;
import dev.bluegreen.cutover.parity.compare.KeyCheck;
import dev.bluegreen.cutover.parity.compare.KeyInverse;
import dev.bluegreen.cutover.parity.sql.GreenReader;
import dev.bluegreen.cutover.parity.sql.Reads;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rechecks the keys that differed while replication is live (issue 3, rule 3). A row can change on
 * blue between the blue and the green read of its chunk, so each differing key is read again on blue
 * and green once the sink has applied past the blue time of its last read, up to
 * {@link ParitySettings#recheckAttempts()} times. A key that keeps changing faster than the sink
 * applies it (a hot row) may differ at every attempt; the keys still differing then get one locked
 * recheck: they are read on blue {@code FOR SHARE} (their writers wait), green is read once the sink
 * has applied past that read, and the lock is released. While locked the blue rows cannot change, so
 * this comparison is exact: a difference left is a true mismatch. The locked recheck is bounded by
 * {@link ParitySettings#lockedRecheckTimeout()} and {@link ParitySettings#lockedRecheckMaxKeys()};
 * when it cannot run, the keys still differing are reported with the reason. Without a live pipeline
 * one immediate recheck is made. Not thread-safe (one per table).
 */
public final class Recheck {

    private static final Logger LOG = LoggerFactory.getLogger(Recheck.class);
    private static final int LOCK_ATTEMPTS = 3;

    /**
     * @param remaining differences left after the rechecks (every one of them; empty when all matched)
     * @param recheckedKeys distinct keys that were rechecked
     */
    public record Outcome(List<Difference> remaining, long recheckedKeys) {
    }

    private final ParitySettings settings;
    private final SinkWatermark watermark;
    private final KeyCheck check;
    private final KeyInverse inverse;
    private final DataSource blue;
    private final DataSource green;

    public Recheck(ParitySettings settings, SinkWatermark watermark, KeyCheck check, KeyInverse inverse,
                   DataSource blue, DataSource green) {
        this.settings = settings;
        this.watermark = watermark;
        this.check = check;
        this.inverse = inverse;
        this.blue = blue;
        this.green = green;
    }

    /**
     * Rechecks.
     *
     * @param differences the differences of the first comparison
     * @param readAtMs the latest blue clock of the reads that found them (epoch ms)
     * @throws SQLException when a server fails
     * @throws InterruptedException when interrupted while waiting for the sink
     */
    public Outcome run(List<Difference> differences, long readAtMs) throws SQLException, InterruptedException {
        if (differences.isEmpty()) {
            return new Outcome(List.of(), 0);
        }
        List<Row> keys = blueKeys(differences);
        long rechecked = keys.size() + orphans(differences).size();
        boolean live = watermark.live();
        int attempts = live ? settings.recheckAttempts() : Math.min(1, settings.recheckAttempts());
        List<Difference> left = differences;
        long readAt = readAtMs;
        for (int attempt = 1; attempt <= attempts && !left.isEmpty(); attempt++) {
            if (live && !watermark.awaitPast(readAt, settings.catchUpTimeout())) {
                LOG.info("{} - recheck {}: the sink did not apply past blue time {} within {}; rechecking anyway",
                        check.transform().blueTable(), attempt, readAt, settings.catchUpTimeout());
            }
            KeyCheck.Result r = check.check(blue, green, blueKeys(left));
            readAt = r.blueClockMs();
            List<Difference> next = new ArrayList<>(r.differences());
            next.addAll(stillExtra(orphans(left)));
            left = next;
        }
        if (!left.isEmpty() && live) {
            left = lockedOrExplained(left);
        }
        return new Outcome(left, rechecked);
    }

    private List<Difference> lockedOrExplained(List<Difference> left) throws SQLException, InterruptedException {
        SQLException last = null;
        for (int attempt = 1; attempt <= LOCK_ATTEMPTS; attempt++) {
            try {
                return locked(left);
            } catch (SQLException e) {
                // PostgreSQL's lock_timeout / deadlock (SQLState), MariaDB's lock wait timeout / deadlock (error code)
                boolean gaveWay = "55P03".equals(e.getSQLState()) || "40P01".equals(e.getSQLState())
                        || e.getErrorCode() == 1205 || e.getErrorCode() == 1213;
                if (!gaveWay) {
                    throw e;
                }
                // lock timeout, or a deadlock with application transactions that the server broke by
                // ending ours: we gave way, try again
                last = e;
                LOG.info("{} - locked recheck attempt {} gave way: {}", check.transform().blueTable(), attempt,
                        e.getMessage());
            }
        }
        String why = last.getMessage();
        return left.stream().map(d -> d.withReason(reason(d, "still differing after " + settings.recheckAttempts()
                + " rechecks; the locked recheck could not lock the rows (" + why + ")"))).toList();
    }

    private List<Difference> locked(List<Difference> left) throws SQLException, InterruptedException {
        List<Row> keys = blueKeys(left);
        long ms = settings.lockedRecheckTimeout().toMillis();
        if (ms == 0 || keys.size() > settings.lockedRecheckMaxKeys()) {
            String why = ms == 0 ? "the locked recheck is disabled" : keys.size() + " keys are more than the locked"
                    + " recheck may lock (" + settings.lockedRecheckMaxKeys() + ")";
            return left.stream().map(d -> d.withReason(reason(d, "still differing after "
                    + settings.recheckAttempts() + " rechecks; " + why))).toList();
        }
        try (Connection c = blue.getConnection()) {
            c.setAutoCommit(false);
            List<Row> rows = check.blueReader().lockedByKeys(c, keys, ms / 2);
            long lockedAt = Reads.clockMs(c, check.blueReader().engine());
            boolean reached = watermark.awaitPast(lockedAt, settings.lockedRecheckTimeout());
            List<Difference> out = new ArrayList<>(check.compare(green, Expectation.ofKeys(check.transform(), keys, rows)));
            c.rollback();
            out.addAll(stillExtra(orphans(left)));
            LOG.info("{} - locked recheck of {} keys: {} differ", check.transform().blueTable(), keys.size(), out.size());
            return reached ? out : out.stream().map(d -> d.withReason(reason(d, "the sink did not apply past the"
                    + " locked read within " + settings.lockedRecheckTimeout()))).toList();
        }
    }

    private static String reason(Difference d, String why) {
        return d.reason() == null ? why : d.reason() + "; " + why;
    }

    /** Distinct blue keys of the differences; extra rows' green keys are mapped back. */
    private List<Row> blueKeys(List<Difference> differences) {
        Set<Row> out = new LinkedHashSet<>();
        for (Difference d : differences) {
            if (d.blueKey() != null) {
                out.add(d.blueKey());
            } else if (d.greenKey() != null) {
                inverse.blueKey(d.greenKey()).ifPresent(out::add);
            }
        }
        return new ArrayList<>(out);
    }

    /** Extra green rows whose key no blue key maps to: only green can change them. */
    private List<Difference> orphans(List<Difference> differences) {
        return differences.stream().filter(d -> d.blueKey() == null && inverse.blueKey(d.greenKey()).isEmpty()).toList();
    }

    private List<Difference> stillExtra(List<Difference> orphans) throws SQLException {
        List<Difference> out = new ArrayList<>();
        for (GreenReader g : check.greenReaders()) {
            List<Difference> mine = orphans.stream().filter(d -> d.greenTable().equals(g.shape().table())).toList();
            if (!mine.isEmpty()) {
                var rows = g.byKeys(green, mine.stream().map(Difference::greenKey).toList());
                mine.stream().filter(d -> rows.containsKey(d.greenKey()))
                        .map(d -> new Difference(d.kind(), d.greenTable(), null, d.greenKey(), List.of(), null,
                                rows.get(d.greenKey()), "no blue key maps to this green key"))
                        .forEach(out::add);
            }
        }
        return out;
    }
}
