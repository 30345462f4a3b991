-- Green's schema for the demo: pgbench's TPC-B-like schema, overhauled.
--   pgbench_branches -> bank.branch     bid -> branch_id, bbalance (units) -> balance_cents (bigint)
--   pgbench_tellers  -> bank.teller     tid -> teller_id, tbalance -> balance_cents
--   pgbench_accounts -> bank.account    aid widened to bigint, abalance -> balance_cents, filler dropped
--   pgbench_history  -> bank.transfer   gets a key (transfer_id, from blue's added hid), delta -> amount_cents,
--                                       mtime (timestamp) -> created_at (timestamptz, declared zone UTC)
-- schema bank is created by Flyway (schemas = bank)

CREATE TABLE bank.branch (
    branch_id     integer PRIMARY KEY,
    balance_cents bigint  NOT NULL
);

CREATE TABLE bank.teller (
    teller_id     integer PRIMARY KEY,
    branch_id     integer NOT NULL,
    balance_cents bigint  NOT NULL
);

CREATE TABLE bank.account (
    account_id    bigint  PRIMARY KEY,
    branch_id     integer NOT NULL,
    balance_cents bigint  NOT NULL
);

CREATE TABLE bank.transfer (
    transfer_id  bigint      PRIMARY KEY,
    teller_id    integer     NOT NULL,
    branch_id    integer     NOT NULL,
    account_id   bigint      NOT NULL,
    amount_cents bigint      NOT NULL,
    created_at   timestamptz
);
