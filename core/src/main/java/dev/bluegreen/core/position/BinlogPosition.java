package dev.bluegreen.core.position;

import static java.util.Objects.requireNonNull;

/**
 * A point in a MariaDB (MySQL family) server's binary log: the position after the last transaction it
 * includes, as {@code SHOW MASTER STATUS} reports it, with the server's GTID position at that point.
 *
 * @param file the binlog file name, e.g. {@code mariadb-bin.000003}
 * @param offset the byte offset in that file (bytes) where the next event starts
 * @param gtids {@code @@gtid_binlog_pos} at that point, e.g. {@code 0-1-42}; empty when the server has
 *     written no GTID yet
 */
public record BinlogPosition(String file, long offset, String gtids) implements Position {

    public BinlogPosition {
        requireNonNull(file, "file is null");
        requireNonNull(gtids, "gtids is null");
        if (file.isEmpty()) {
            throw new IllegalArgumentException("binlog file name is empty: is log_bin on?");
        }
        if (offset < 4) {
            throw new IllegalArgumentException("binlog offset " + offset + " is before the first event (4)");
        }
    }

    /** {@code file:offset}, with {@code gtids=...} when there is a GTID position. */
    @Override
    public String toString() {
        return file + ":" + offset + (gtids.isEmpty() ? "" : " (gtids " + gtids + ")");
    }
}
