package dev.bluegreen.core.position;

/**
 * A point in blue's change stream. Sealed: each engine has its own kind ({@link Lsn} for
 * PostgreSQL; a GTID set will join for the MySQL family).
 */
public sealed interface Position permits Lsn {
}
