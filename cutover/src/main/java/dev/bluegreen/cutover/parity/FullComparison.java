package dev.bluegreen.cutover.parity;

import dev.bluegreen.core.dialect.Engine;
import dev.bluegreen.core.dialect.mariadb.MariaDbDialect;
import dev.bluegreen.core.dialect.mariadb.MariaDbValueReader;
import dev.bluegreen.core.dialect.postgres.PostgresDialect;
import dev.bluegreen.core.dialect.postgres.PostgresValueReader;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.transform.MappedRow;
import dev.bluegreen.transform.RowTransform;
import dev.bluegreen.transform.TargetShape;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import javax.sql.DataSource;

/**
 * A full, row-by-row comparison of one blue table, seen through its mapping, with its green
 * target tables: every blue row is read over JDBC, run through the same transform the sink uses,
 * and compared with the green row of the same key. Green rows are held in memory (one map per
 * target), so this suits tests and the demo; the chunked, hashed parity checker for production
 * sizes is separate. Reads blue in one transaction with a cursor (fetch size 5,000 rows); blue may be
 * PostgreSQL or MariaDB (told by the connection's URL).
 * Stateless and thread-safe.
 */
public final class FullComparison {

    private static final int FETCH_ROWS = 5_000;

    private FullComparison() {
    }

    /**
     * Compares.
     *
     * @param maxSamples how many differences to keep as examples (the counts are always complete)
     * @throws SQLException when a server fails
     */
    public static ComparisonResult compare(DataSource blue, DataSource green, TableSchema blueTable,
                                           RowTransform transform, int maxSamples) throws SQLException {
        Map<TableId, Map<Row, Row>> greenRows = new HashMap<>();
        long greenCount = 0;
        for (TargetShape shape : transform.targets()) {
            Map<Row, Row> rows = readGreen(green, shape);
            greenCount += rows.size();
            greenRows.put(shape.table(), rows);
        }
        Map<TableId, TargetShape> shapes = new HashMap<>();
        transform.targets().forEach(s -> shapes.put(s.table(), s));
        long blueCount = 0;
        long missing = 0;
        long differing = 0;
        List<String> samples = new ArrayList<>();
        try (Connection c = blue.getConnection()) {
            Engine engine = Engine.ofUrl(c.getMetaData().getURL());
            boolean mariaDb = engine == Engine.MARIADB;
            if (mariaDb) {
                try (Statement st = c.createStatement()) {
                    st.execute(MariaDbValueReader.SESSION_TIME_ZONE);
                }
            }
            c.setAutoCommit(false);
            c.setReadOnly(true);
            String sql = mariaDb ? mariaDbSelect(blueTable, transform.blueKeyColumns())
                    : PostgresDialect.INSTANCE.selectOrdered(blueTable.id(), blueTable.columnNames(),
                    transform.blueKeyColumns());
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(FETCH_ROWS);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        blueCount++;
                        Row blueRow = mariaDb ? MariaDbValueReader.readRow(rs, blueTable.columns())
                                : PostgresValueReader.readRow(rs, blueTable.columns());
                        for (MappedRow m : transform.map(blueRow)) {
                            TargetShape shape = shapes.get(m.table());
                            Row key = m.row().project(shape.keyColumns());
                            Row actual = greenRows.get(m.table()).remove(key);
                            if (actual == null) {
                                missing++;
                                sample(samples, maxSamples, "missing in green " + m.table() + ": " + m.row());
                            } else if (!actual.equals(m.row())) {
                                differing++;
                                sample(samples, maxSamples, "differs in green " + m.table() + " key " + key
                                        + ": expected " + m.row() + ", green has " + actual);
                            }
                        }
                    }
                }
            }
            c.rollback();
        }
        long extra = 0;
        for (Map.Entry<TableId, Map<Row, Row>> e : greenRows.entrySet()) {
            extra += e.getValue().size();
            for (Row r : e.getValue().values()) {
                sample(samples, maxSamples, "extra in green " + e.getKey() + ": " + r);
            }
        }
        return new ComparisonResult(blueTable.id(), blueCount, greenCount, missing, extra, differing, samples);
    }

    private static String mariaDbSelect(TableSchema table, List<String> keyColumns) {
        StringJoiner cols = new StringJoiner(", ");
        table.columns().forEach(c -> cols.add(MariaDbValueReader.selectExpression(c.name(), c.type())));
        StringJoiner order = new StringJoiner(", ");
        keyColumns.forEach(k -> order.add(MariaDbDialect.INSTANCE.quote(k)));
        return "SELECT " + cols + " FROM " + MariaDbDialect.INSTANCE.table(table.id()) + " ORDER BY " + order;
    }

    private static Map<Row, Row> readGreen(DataSource green, TargetShape shape) throws SQLException {
        Map<Row, Row> out = new HashMap<>();
        try (Connection c = green.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(PostgresDialect.INSTANCE.selectOrdered(shape.table(),
                    shape.columns(), shape.keyColumns()))) {
                ps.setFetchSize(FETCH_ROWS);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        List<Object> values = new ArrayList<>(shape.columns().size());
                        for (int i = 0; i < shape.columns().size(); i++) {
                            ColumnType type = shape.columnTypes().get(shape.columns().get(i));
                            values.add(PostgresValueReader.read(rs, i + 1, type));
                        }
                        Row row = Row.of(shape.columns(), values);
                        out.put(row.project(shape.keyColumns()), row);
                    }
                }
            }
            c.rollback();
        }
        return out;
    }

    private static void sample(List<String> samples, int max, String text) {
        if (samples.size() < max) {
            samples.add(text);
        }
    }
}
