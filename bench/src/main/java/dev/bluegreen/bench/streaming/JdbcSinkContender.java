package dev.bluegreen.bench.streaming;

import dev.bluegreen.bench.anchor.ConnectJdbcSink;
import dev.bluegreen.bench.anchor.ConnectJdbcSinkConfig;
import dev.bluegreen.testkit.LocalPostgres;
import java.nio.file.Path;
import java.util.List;

/**
 * The hand-built pipeline as a streaming contender: Debezium's PostgreSQL source (no data snapshot) and the
 * Debezium JDBC sink on a Kafka Connect worker JVM ({@link ConnectJdbcSink}), into the same green tables.
 * S2 only: it has no pause ({@link #pausable()} is false), so S3's backlog compares bluegreen with native
 * replication alone. Its processes are not sampled for S6 (S6 is about bluegreen's). Not thread-safe.
 */
final class JdbcSinkContender implements Contender {

    private final Path root;
    private final LocalPostgres blue;
    private final LocalPostgres green;
    private final String db;
    private ConnectJdbcSink anchor;

    JdbcSinkContender(Path root, LocalPostgres blue, LocalPostgres green, String db) {
        this.root = root;
        this.blue = blue;
        this.green = green;
        this.db = db;
    }

    @Override
    public String name() {
        return "jdbcsink";
    }

    @Override
    public void start(String run, Path dir) throws Exception {
        ConnectJdbcSinkConfig cfg = ConnectJdbcSinkConfig.defaults(root, dir, ConnectJdbcSinkConfig.Mode.STREAMING,
                StreamPair.TABLES);
        anchor = ConnectJdbcSink.start(cfg, blue, db, green, db);
    }

    @Override
    public boolean pausable() {
        return false;
    }

    @Override
    public void pause() {
        throw new UnsupportedOperationException("the JDBC sink contender has no pause; it runs in S2 only");
    }

    @Override
    public void resume() {
        throw new UnsupportedOperationException("the JDBC sink contender has no pause; it runs in S2 only");
    }

    @Override
    public List<Proc> processes() {
        return List.of();
    }

    @Override
    public void close() {
        if (anchor != null) {
            anchor.close();
            anchor = null;
        }
    }
}
