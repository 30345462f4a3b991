package dev.bluegreen.cli.it;

import dev.bluegreen.testkit.LocalPostgres;

/** A small blue table and its green counterpart, for restart and bad-input tests. */
final class CountersSchema {

    static final int INITIAL_ROWS = 200;

    private CountersSchema() {
    }

    static void create(LocalPostgres blue, LocalPostgres green, String database) throws Exception {
        blue.createDatabase(database);
        blue.execute(database, "CREATE TABLE counters (id integer PRIMARY KEY, n integer NOT NULL,"
                + " amount numeric(10,2) NOT NULL, label text)");
        blue.execute(database, "INSERT INTO counters SELECT i, 0, 1.00, 'row ' || i FROM generate_series(1, "
                + INITIAL_ROWS + ") i");
        green.createDatabase(database);
        green.execute(database, "CREATE SCHEMA app");
        green.execute(database, "CREATE TABLE app.counters (id bigint PRIMARY KEY, n integer NOT NULL,"
                + " amount_cents bigint NOT NULL, label varchar(12))");
    }
}
