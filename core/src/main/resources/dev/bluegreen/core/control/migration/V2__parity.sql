-- The result of every `bluegreen verify` (issue 3), for the cutover coordinator ("a recent parity pass")
-- and for `bluegreen status`. The full list of differing keys is in the JSON report named by report_dir.

CREATE TABLE bluegreen.parity_run (
    id                          bigserial   PRIMARY KEY,
    pipeline                    text        NOT NULL,
    result                      text        NOT NULL CHECK (result IN ('parity', 'mismatch', 'error')),
    complete                    boolean     NOT NULL,  -- every mapped table was verified (no --tables subset)
    started_at                  timestamptz NOT NULL,
    finished_at                 timestamptz NOT NULL,
    config_sha256               text,
    blue_lsn_start              pg_lsn,
    blue_lsn_end                pg_lsn,
    green_offsets_start         jsonb       NOT NULL DEFAULT '{}',  -- sink offsets, "topic/partition": offset
    green_offsets_end           jsonb       NOT NULL DEFAULT '{}',
    sink_applied_blue_commit_ms bigint,                             -- newest applied heartbeat at the end
    blue_rows                   bigint      NOT NULL DEFAULT 0,
    mismatched_keys             bigint      NOT NULL DEFAULT 0,
    report_dir                  text,
    error                       text
);
CREATE INDEX parity_run_latest ON bluegreen.parity_run (pipeline, finished_at DESC);

CREATE TABLE bluegreen.parity_table (
    run_id          bigint NOT NULL REFERENCES bluegreen.parity_run (id) ON DELETE CASCADE,
    blue_table      text   NOT NULL,
    verdict         text   NOT NULL CHECK (verdict IN ('match', 'match-after-recheck', 'mismatch')),
    path            text   NOT NULL,
    blue_rows       bigint NOT NULL,
    green_rows      bigint NOT NULL,
    chunks          bigint NOT NULL,
    rechecked_keys  bigint NOT NULL,
    mismatched_keys bigint NOT NULL,
    duration_ms     bigint NOT NULL,
    PRIMARY KEY (run_id, blue_table)
);
