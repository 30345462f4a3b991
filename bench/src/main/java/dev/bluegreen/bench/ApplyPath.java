package dev.bluegreen.bench;

import dev.bluegreen.core.dialect.postgres.PostgresDialect;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.sink.apply.GreenApplier;
import dev.bluegreen.sink.batch.EventSource;
import dev.bluegreen.sink.batch.GreenAction;
import dev.bluegreen.sink.deadletter.DeadLetter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * One way of writing snapshot rows into green's {@code bank.account}. The harness opens the
 * connection untimed, then times {@link #write} alone (including building statements or encoding
 * COPY data, which is the sink's work too) and checks green's checksum afterwards.
 */
abstract class ApplyPath {

    /** Opens a connection for one run. */
    @FunctionalInterface
    interface ConnectionSource {
        Connection open() throws SQLException;
    }

    final String id;
    final String label;
    private final ConnectionSource connections;

    ApplyPath(String id, String label, ConnectionSource connections) {
        this.id = id;
        this.label = label;
        this.connections = connections;
    }

    Connection open() throws SQLException {
        return connections.open();
    }

    /** Writes the rows (keys unique, as the sink's batch planner guarantees) and commits them. */
    abstract void write(Connection c, List<Row> rows) throws Exception;

    /** True when rows already in green are overwritten (an upsert); false for the anchor. */
    abstract boolean upserts();

    /**
     * The sink's code path: {@link GreenApplier#applyBatch} with {@link GreenAction.Upsert} actions,
     * one transaction per batch. Whether the driver turns the JDBC batch into multi-row inserts
     * depends on the connection's {@code reWriteBatchedInserts}.
     */
    static final class SinkUpsert extends ApplyPath {
        private final int batchRows;

        SinkUpsert(String id, String label, ConnectionSource connections, int batchRows) {
            super(id, label, connections);
            this.batchRows = batchRows;
        }

        @Override
        void write(Connection c, List<Row> rows) throws SQLException {
            GreenApplier applier = new GreenApplier(PostgresDialect.INSTANCE, Map.of(AccountRows.TABLE, AccountRows.SHAPE));
            c.setAutoCommit(false);
            for (int i = 0; i < rows.size(); i += batchRows) {
                List<Row> batch = rows.subList(i, Math.min(i + batchRows, rows.size()));
                List<GreenAction> actions = new ArrayList<>(batch.size());
                long offset = i;
                for (Row row : batch) {
                    EventSource source = new EventSource("public.pgbench_accounts", "bench", 0, offset++, null, null);
                    actions.add(new GreenAction.Upsert(AccountRows.TABLE, row, source));
                }
                List<DeadLetter> dead = applier.applyBatch(c, actions);
                if (!dead.isEmpty()) {
                    throw new IllegalStateException(label + ": the applier dead-lettered " + dead.size() + " rows: "
                            + dead.get(0));
                }
                c.commit();
            }
        }

        @Override
        boolean upserts() {
            return true;
        }
    }

    /**
     * COPY each batch into a session-local staging table ({@code CREATE TEMP TABLE ... (LIKE
     * bank.account) ON COMMIT DELETE ROWS}), then {@code INSERT INTO bank.account SELECT ... FROM
     * staging ON CONFLICT (account_id) DO UPDATE SET ...}, one transaction per batch. Needs the
     * batch's keys to be unique (PostgreSQL refuses to update one row twice in a statement).
     */
    static final class StagingCopy extends ApplyPath {
        private static final String STAGING = "pg_temp.bench_account_staging";
        private final int batchRows;
        private final CopyEncoder.Format format;

        StagingCopy(String id, String label, ConnectionSource connections, int batchRows, CopyEncoder.Format format) {
            super(id, label, connections);
            this.batchRows = batchRows;
            this.format = format;
        }

        @Override
        void write(Connection c, List<Row> rows) throws SQLException {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TEMP TABLE IF NOT EXISTS bench_account_staging (LIKE bank.account) ON COMMIT DELETE ROWS");
            }
            c.commit();
            String cols = AccountRows.SHAPE.columns().stream().map(CopyEncoder::quote).collect(Collectors.joining(", "));
            String sets = AccountRows.SHAPE.columns().stream().filter(col -> !AccountRows.SHAPE.keyColumns().contains(col))
                    .map(CopyEncoder::quote).map(q -> q + " = EXCLUDED." + q).collect(Collectors.joining(", "));
            String keys = AccountRows.SHAPE.keyColumns().stream().map(CopyEncoder::quote).collect(Collectors.joining(", "));
            String merge = "INSERT INTO bank.account (" + cols + ") SELECT " + cols + " FROM " + STAGING
                    + " ON CONFLICT (" + keys + ") DO UPDATE SET " + sets;
            String copySql = CopyEncoder.copySql(STAGING, AccountRows.SHAPE, format);
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            try (PreparedStatement ps = c.prepareStatement(merge)) {
                for (int i = 0; i < rows.size(); i += batchRows) {
                    List<Row> batch = rows.subList(i, Math.min(i + batchRows, rows.size()));
                    long copied = CopyEncoder.copy(copy.copyIn(copySql), format, AccountRows.SHAPE, batch);
                    int merged = ps.executeUpdate();
                    if (copied != batch.size() || merged != batch.size()) {
                        throw new IllegalStateException(label + ": batch of " + batch.size() + " rows copied " + copied
                                + " and merged " + merged);
                    }
                    c.commit();
                }
            }
        }

        @Override
        boolean upserts() {
            return true;
        }
    }

    /** The anchor: one {@code COPY bank.account FROM STDIN} (text format) of all rows, no conflict handling. */
    static final class RawCopy extends ApplyPath {

        RawCopy(String id, String label, ConnectionSource connections) {
            super(id, label, connections);
        }

        @Override
        void write(Connection c, List<Row> rows) throws SQLException {
            c.setAutoCommit(true);
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            String sql = CopyEncoder.copySql("bank.account", AccountRows.SHAPE, CopyEncoder.Format.TEXT);
            long copied = CopyEncoder.copy(copy.copyIn(sql), CopyEncoder.Format.TEXT, AccountRows.SHAPE, rows);
            if (copied != rows.size()) {
                throw new IllegalStateException(label + ": copied " + copied + " of " + rows.size() + " rows");
            }
        }

        @Override
        boolean upserts() {
            return false;
        }
    }
}
