package dev.bluegreen.core.position;

/**
 * A point in blue's change stream. Sealed: each engine has its own kind ({@link Lsn} for
 * PostgreSQL, {@link BinlogPosition} for the MariaDB family).
 */
public sealed interface Position permits Lsn, BinlogPosition {
}
