-- bluegreen's own initial copy (capture.snapshot: copy): one row per pipeline, one per planned chunk.

-- The backfill of a pipeline: the slot whose consistent point it copies, and its state
-- ('copying' until every chunk is in green, then 'done').
CREATE TABLE bluegreen.backfill (
    pipeline         text        PRIMARY KEY,
    slot_name        text        NOT NULL,
    consistent_lsn   text        NOT NULL,
    state            text        NOT NULL,
    chunks           int         NOT NULL,
    started_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    resumed          int         NOT NULL DEFAULT 0
);

-- Key-range chunks: [lower_bound, upper_bound) in blue key order, bounds as the key columns' text
-- (NULL = open end). copied_at is set in the green transaction that holds the chunk's rows.
CREATE TABLE bluegreen.backfill_chunk (
    pipeline     text        NOT NULL,
    blue_table   text        NOT NULL,
    chunk_no     int         NOT NULL,
    lower_bound  text[],
    upper_bound  text[],
    rows_copied  bigint,
    copy_ms      bigint,
    copied_at    timestamptz,
    PRIMARY KEY (pipeline, blue_table, chunk_no)
);

-- Green secondary indexes dropped for the copy (indexes: build-after), built again after it.
CREATE TABLE bluegreen.backfill_index (
    pipeline     text        NOT NULL,
    green_table  text        NOT NULL,
    index_name   text        NOT NULL,
    definition   text        NOT NULL,
    built_at     timestamptz,
    PRIMARY KEY (pipeline, green_table, index_name)
);
