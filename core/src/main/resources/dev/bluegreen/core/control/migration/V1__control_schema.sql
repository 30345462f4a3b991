-- bluegreen's control schema in green. Owned by bluegreen; applications never write here.

-- Kafka consumer positions of the sink, written in the same transaction as the rows they cover.
CREATE TABLE bluegreen.sink_offset (
    pipeline        text   NOT NULL,
    topic           text   NOT NULL,
    kafka_partition int    NOT NULL,
    next_offset     bigint NOT NULL,
    PRIMARY KEY (pipeline, topic, kafka_partition)
);

-- Rows that could not be converted or applied, with the raw change event.
CREATE TABLE bluegreen.dead_letter (
    id              bigserial   PRIMARY KEY,
    pipeline        text        NOT NULL,
    blue_table      text        NOT NULL,
    topic           text        NOT NULL,
    kafka_partition int         NOT NULL,
    kafka_offset    bigint      NOT NULL,
    event_key       text,
    raw_event       text,
    error           text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dead_letter_pipeline ON bluegreen.dead_letter (pipeline, blue_table);

-- Per blue table progress, updated with every applied batch.
CREATE TABLE bluegreen.table_progress (
    pipeline          text    NOT NULL,
    blue_table        text    NOT NULL,
    snapshot_rows     bigint  NOT NULL DEFAULT 0,
    snapshot_estimate bigint  NOT NULL DEFAULT 0,
    snapshot_done     boolean NOT NULL DEFAULT false,
    events_applied    bigint  NOT NULL DEFAULT 0,
    last_commit_ms    bigint,
    last_apply_ms     bigint,
    PRIMARY KEY (pipeline, blue_table)
);

-- Replication lag measured on the heartbeat row that capture writes on blue every interval.
CREATE TABLE bluegreen.lag (
    pipeline       text   PRIMARY KEY,
    blue_commit_ms bigint NOT NULL,
    applied_ms     bigint NOT NULL,
    lag_ms         bigint NOT NULL
);

-- The pipeline's run state, for `bluegreen status`.
CREATE TABLE bluegreen.pipeline_state (
    pipeline   text        PRIMARY KEY,
    state      text        NOT NULL,
    message    text,
    updated_at timestamptz NOT NULL DEFAULT now()
);
