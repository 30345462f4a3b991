-- Green for the live verify test: pgbench's tables renamed into schema "bank".
CREATE SCHEMA bank;
CREATE TABLE bank.branch (branch_id integer PRIMARY KEY, balance integer NOT NULL);
CREATE TABLE bank.teller (teller_id integer PRIMARY KEY, branch_id integer, balance integer);
CREATE TABLE bank.account (account_id bigint PRIMARY KEY, branch_id integer, balance integer);
CREATE TABLE bank.transfer (transfer_id bigint PRIMARY KEY, teller_id integer, branch_id integer, account_id bigint,
                            delta integer, created_at timestamptz);
