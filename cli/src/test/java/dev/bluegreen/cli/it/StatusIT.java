package dev.bluegreen.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.core.control.ControlSchema;
import dev.bluegreen.cutover.coordinator.CutoverStep;
import dev.bluegreen.cutover.coordinator.CutoverStore;
import dev.bluegreen.testkit.LocalPostgres;
import dev.bluegreen.testkit.LocalPostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Issue 4 item 9: {@code bluegreen status} reads the cutover records a coordinator writes (through
 * {@link CutoverStore} itself, on a real green) and tells a running coordinator from a dead one by its
 * advisory lock; it shows the route row. Only green is needed: status never connects to blue.
 */
@Tag("it-postgresql")
class StatusIT {

    @RegisterExtension
    static LocalPostgresExtension greenServer = new LocalPostgresExtension("status-green");

    @TempDir
    static Path work;

    @Test
    void showsARunningThenDeadThenAbortedCutoverAndTheRoute() throws Exception {
        LocalPostgres green = greenServer.postgres();
        green.createDatabase("shop");
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(green.jdbcUrl("shop"));
        ds.setUser(LocalPostgres.SUPERUSER);
        ControlSchema.migrate(ds);
        Path config = config(green.jdbcUrl("shop"));
        String none = Pipelines.statusOutput(config);
        assertThat(none).contains("last verify: none recorded").contains("last cutover: none ran")
                .contains("next: start the pipeline: bluegreen run --config " + config);

        long id;
        try (CutoverStore store = new CutoverStore(ds, "shop")) {
            assertThat(store.tryLock()).isTrue();
            id = store.begin(false);
            store.phase("drain");
            store.step(1, new CutoverStep("fence", Instant.now(), 2.5, "ok", "heartbeat 17 at blue LSN 0/3000A28"));
            try (Connection c = ds.getConnection()) {
                assertThat(CutoverStore.lockHeld(c, "shop")).isTrue();
                assertThat(CutoverStore.lockHeld(c, "other")).as("another pipeline's lock").isFalse();
            }
            assertThat(Pipelines.statusOutput(config)).contains("last cutover: run " + id + " RUNNING in phase drain")
                    .contains("last step: ok fence: heartbeat 17 at blue LSN 0/3000A28")
                    .contains("next: a cutover is running (run " + id + ", phase drain)");
        }
        String died = Pipelines.statusOutput(config); // the store's session ended: so did the lock
        assertThat(died).contains("last cutover: run " + id + " DIED in phase drain")
                .contains("no coordinator holds the lock")
                .contains("next: the coordinator of run " + id + " died in phase drain. Its locks on blue ended");

        try (CutoverStore store = new CutoverStore(ds, "shop")) {
            assertThat(store.tryLock()).isTrue();
            assertThat(store.closeAbandonedRuns()).isEqualTo(1);
            long next = store.begin(false);
            store.finish("aborted", 41.66, null, "cutover aborted, the application stays on blue: drain timeout",
                    "{\"runId\": " + next + "}");
            Path reports = Files.createDirectories(work.resolve("pipeline").resolve("cutover"));
            Files.writeString(reports.resolve("cutover-report.json"), "{\"runId\": " + next + "}");
            green.execute("shop", "INSERT INTO bluegreen.route (pipeline, target, phase, epoch, lease_ms)"
                    + " VALUES ('shop', 'blue', 'serving', 3, 3000)");
            store.close(); // ends the lock before status looks
            String aborted = Pipelines.statusOutput(config);
            assertThat(aborted).contains("last cutover: run " + next + " ABORTED, ended")
                    .contains("freeze window 41.7 ms")
                    .contains("  cutover aborted, the application stays on blue: drain timeout")
                    .contains("report: " + reports.resolve("cutover-report.json"))
                    .contains("route (switchable DataSource, bluegreen.route): serving on blue, epoch 3");
        }
    }

    private static Path config(String greenUrl) throws Exception {
        Path file = work.resolve("pipeline.yaml");
        Files.writeString(file, String.join("\n",
                "pipeline:",
                "  name: shop",
                "  work-dir: " + work.resolve("pipeline"),
                "blue:",
                "  jdbc-url: jdbc:postgresql://127.0.0.1:1/unused", // status never connects to blue
                "  user: postgres",
                "green:",
                "  jdbc-url: " + greenUrl,
                "  user: postgres",
                "cutover:",
                "  application-role: app",
                "  router:",
                "    type: datasource",
                "tables:",
                "  - blue: public.t",
                "    green: shop.t",
                ""));
        return file;
    }
}
