package dev.bluegreen.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.bluegreen.cli.pipeline.PipelineValidator;
import dev.bluegreen.cli.pipeline.ValidatedPipeline;
import dev.bluegreen.core.config.PipelineConfig;
import dev.bluegreen.core.config.PipelineConfigLoader;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.control.ControlSchema;
import dev.bluegreen.core.endpoint.Endpoints;
import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;
import dev.bluegreen.core.error.Suggestions;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.cutover.parity.ParityChecker;
import dev.bluegreen.cutover.parity.ParityListener;
import dev.bluegreen.cutover.parity.ParityReport;
import dev.bluegreen.cutover.parity.ParitySettings;
import dev.bluegreen.cutover.parity.ParityTable;
import dev.bluegreen.cutover.parity.TableParity;
import dev.bluegreen.cutover.parity.VerifyPath;
import dev.bluegreen.cutover.parity.report.ParityReportHtml;
import dev.bluegreen.cutover.parity.report.ParityReportJson;
import dev.bluegreen.cutover.parity.report.ParityRunStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bluegreen verify}: proves table by table that green holds what blue holds through the mapping,
 * writes the JSON and HTML parity reports and records the result in green's control schema. Exit codes
 * (issue 3, API for CI gates): 0 parity, 1 mismatch, 2 any error (config, server, internal).
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verify parity: every blue row through the mapping against green, chunk by chunk, while"
                + " replication runs. Exit code 0 parity, 1 mismatch, 2 error."})
final class VerifyCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "pipeline config file (YAML)")
    Path config;

    @Option(names = "--tables", split = ",", paramLabel = "T", description = "only these blue tables (schema.table)")
    List<String> tables = new ArrayList<>();

    @Option(names = "--report", paramLabel = "DIR", description = "folder for parity-report.json and"
            + " parity-report.html (default: <work-dir>/parity)")
    Path reportDir;

    @Option(names = "--chunk-size", paramLabel = "N", description = "blue rows per chunk (default: ${DEFAULT-VALUE})")
    int chunkSize = ParitySettings.defaults().chunkSizeRows();

    @Option(names = "--max-rows-per-second", paramLabel = "N", description = "cap on blue rows read per second"
            + " (default: no cap)")
    long maxRowsPerSecond;

    @Option(names = "--path", paramLabel = "auto|streaming|pushdown", description = "hash in bluegreen (streaming), in"
            + " the servers (pushdown, where the mapping allows), or pick per table (default: auto)")
    String path = "auto";

    @Option(names = "--recheck-attempts", paramLabel = "N", description = "rechecks of a differing key after the sink"
            + " caught up (default: ${DEFAULT-VALUE})")
    int recheckAttempts = ParitySettings.defaults().recheckAttempts();

    @Option(names = "--locked-recheck-ms", paramLabel = "MS", description = "bound of the last recheck, which holds"
            + " share locks on the keys still differing on blue; 0 disables it (default: ${DEFAULT-VALUE})")
    long lockedRecheckMs = ParitySettings.defaults().lockedRecheckTimeout().toMillis();

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "show a progress bar per table (default: on)")
    boolean progress;

    @Override
    public Integer call() {
        try {
            return verify();
        } catch (BluegreenException e) {
            System.err.println("error [" + e.code() + "]: " + e.getMessage());
            System.err.println("verify did not finish: no parity result was established (exit code 2).");
            return 2;
        } catch (RuntimeException e) {
            System.err.println("internal error: " + e + " (please report it with the log); exit code 2");
            e.printStackTrace(System.err);
            return 2;
        } finally {
            System.out.flush();
        }
    }

    private int verify() {
        PipelineConfig pc = new PipelineConfigLoader().load(config);
        ParitySettings settings = settings();
        String sha = sha256(config);
        try (HikariDataSource blue = Endpoints.pool(pc.blue(), pc.name() + "-verify-blue", 2, ErrorCode.BLUE_UNAVAILABLE);
             HikariDataSource green = Endpoints.pool(pc.green(), pc.name() + "-verify-green", 2,
                     ErrorCode.GREEN_UNAVAILABLE)) {
            ValidatedPipeline v = PipelineValidator.validate(pc, blue, green);
            ControlSchema.migrate(green);
            List<ParityTable> selected = select(pc, v);
            ParityReport report;
            try (Bars bars = new Bars(progress)) {
                report = new ParityChecker(blue, green, pc.name(),
                        new dev.bluegreen.core.control.AppliedWatermark(green, pc), settings, bars, Clock.systemUTC())
                        .check(selected, config.toString(), sha, selected.size() == pc.tables().size());
            } catch (BluegreenException e) {
                recordError(green, pc.name(), sha, e.getMessage());
                throw e;
            }
            Path dir = reportDir != null ? reportDir : pc.workDir().resolve("parity");
            writeReports(report, dir);
            record(green, report, dir);
            print(report, dir);
            return report.parity() ? 0 : 1;
        }
    }

    private ParitySettings settings() {
        try {
            return ParitySettings.defaults().withChunkSizeRows(chunkSize).withMaxRowsPerSecond(maxRowsPerSecond)
                    .withPath(VerifyPath.parse(path))
                    .withRecheck(recheckAttempts, ParitySettings.defaults().catchUpTimeout(),
                            Duration.ofMillis(lockedRecheckMs));
        } catch (IllegalArgumentException e) {
            throw new BluegreenException(ErrorCode.CONFIG_INVALID, "bad option: " + e.getMessage());
        }
    }

    private List<ParityTable> select(PipelineConfig pc, ValidatedPipeline v) {
        List<String> known = pc.tables().stream().map(m -> m.blue().toString()).toList();
        for (String t : tables) {
            if (!known.contains(TableId.parse(t).toString())) {
                throw new BluegreenException(ErrorCode.CONFIG_INVALID, "--tables: " + t + " is not a mapped blue table"
                        + Suggestions.closest(TableId.parse(t).toString(), known).map(s -> "; did you mean " + s + "?")
                        .orElse("; mapped: " + String.join(", ", known)));
            }
        }
        List<ParityTable> out = new ArrayList<>();
        for (TableMapping m : pc.tables()) {
            if (tables.isEmpty() || tables.stream().anyMatch(t -> TableId.parse(t).equals(m.blue()))) {
                out.add(new ParityTable(m, v.blueTables().get(m.blue()), v.transforms().get(m.blue())));
            }
        }
        return out;
    }

    private static void writeReports(ParityReport report, Path dir) {
        try {
            Files.createDirectories(dir);
            try (OutputStream out = Files.newOutputStream(dir.resolve("parity-report.json"))) {
                ParityReportJson.write(report, out);
            }
            try (Writer out = Files.newBufferedWriter(dir.resolve("parity-report.html"), StandardCharsets.UTF_8)) {
                ParityReportHtml.write(report, out);
            }
        } catch (IOException e) {
            throw new BluegreenException(ErrorCode.CONFIG_INVALID, "cannot write the parity reports to " + dir + ": "
                    + e.getMessage() + "; choose a writable folder with --report", e);
        }
    }

    private static void record(HikariDataSource green, ParityReport report, Path dir) {
        try {
            ParityRunStore.record(green, report, dir.toAbsolutePath().toString());
        } catch (SQLException e) {
            throw new BluegreenException(ErrorCode.GREEN_UNAVAILABLE, "the verify finished (" + report.result()
                    + ", reports in " + dir + ") but recording it in green failed: " + e.getMessage(), e);
        }
    }

    private static void recordError(HikariDataSource green, String pipeline, String sha, String message) {
        try {
            ParityRunStore.recordError(green, pipeline, Instant.now(), sha, message);
        } catch (SQLException e) {
            System.err.println("(could not record the failed verify in green either: " + e.getMessage() + ")");
        }
    }

    private void print(ParityReport r, Path dir) {
        for (TableParity t : r.tables()) {
            System.out.printf(Locale.ROOT, "%-32s %-34s %-9s %,12d rows %,8d chunks %,10.0f rows/s%n", t.blueTable(),
                    t.verdictText(), t.path().jsonName(), t.blueRows(), t.chunks(), t.rowsPerSecond());
        }
        System.out.printf(Locale.ROOT, "%s: %s; %,d rows in %,d ms (%,.0f rows/s, %,.1f chunks/s)%s%n",
                r.pipeline(), r.parity() ? "PARITY" : "MISMATCH (" + r.mismatchedKeys() + " keys)", r.blueRows(),
                r.durationMs(), r.rowsPerSecond(), r.chunksPerSecond(),
                r.end().blueLsn() == null ? "" : "; blue at " + r.end().blueLsn());
        System.out.println("reports: " + dir.resolve("parity-report.json") + " and " + dir.resolve("parity-report.html"));
        System.out.println(r.parity() ? "Next: the cutover coordinator accepts this recent pass."
                : "Next: read the differing rows in the HTML report, fix the mapping or the data, then verify again.");
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new BluegreenException(ErrorCode.CONFIG_INVALID, "cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** One terminal progress bar per table, with rows/s. */
    private static final class Bars implements ParityListener, AutoCloseable {
        private final boolean enabled;
        private ProgressBar bar;

        Bars(boolean enabled) {
            this.enabled = enabled;
        }

        @Override
        public void tableStarted(TableId blueTable, VerifyPath path, long estimatedRows) {
            close();
            if (enabled) {
                bar = new ProgressBarBuilder().setTaskName(blueTable + " (" + path.jsonName() + ")")
                        .setInitialMax(Math.max(estimatedRows, 1)).setStyle(ProgressBarStyle.ASCII)
                        .setUnit(" rows", 1).showSpeed().build();
            }
        }

        @Override
        public void chunkChecked(TableId blueTable, long blueRows) {
            if (bar != null) {
                bar.stepBy(blueRows);
                if (bar.getCurrent() > bar.getMax()) {
                    bar.maxHint(bar.getCurrent());
                }
            }
        }

        @Override
        public void tableFinished(TableParity result) {
            if (bar != null) {
                bar.maxHint(bar.getCurrent());
                bar.setExtraMessage(result.verdictText());
            }
            close();
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
