-- Watermarks, the connection route and the cutover coordinator's state (issue 4).

-- Per Kafka partition of every table topic: the newest watermark marker the sink has applied. Capture
-- writes a marker into every partition of every table topic each time it reads a heartbeat (or a
-- cutover fence) from blue, after every change committed before it; so when every partition's row
-- here has beats >= N, every blue change committed before heartbeat N is applied in green.
CREATE TABLE bluegreen.watermark (
    pipeline        text        NOT NULL,
    topic           text        NOT NULL,
    kafka_partition int         NOT NULL,
    beats           bigint      NOT NULL,  -- bluegreen.heartbeat.beats on blue
    blue_commit_ms  bigint      NOT NULL,  -- blue commit time of that heartbeat, epoch ms
    blue_lsn        text,                  -- blue LSN of that heartbeat
    applied_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pipeline, topic, kafka_partition)
);

-- Where applications connect, published by the cutover coordinator and followed by the switchable
-- DataSource (module bluegreen-datasource). One row per pipeline; every change is followed by
-- NOTIFY bluegreen_route, '<pipeline>'.
CREATE TABLE bluegreen.route (
    pipeline   text        PRIMARY KEY,
    target     text        NOT NULL CHECK (target IN ('blue', 'green')),
    phase      text        NOT NULL CHECK (phase IN ('serving', 'frozen')),
    epoch      bigint      NOT NULL,  -- increases with every change of target or phase
    lease_ms   bigint      NOT NULL,  -- frozen: resume on `target` after this long without a notification
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per `bluegreen cutover` run; phase is the coordinator's state machine position.
CREATE TABLE bluegreen.cutover_run (
    id            bigserial   PRIMARY KEY,
    pipeline      text        NOT NULL,
    dry_run       boolean     NOT NULL,
    phase         text        NOT NULL,
    outcome       text        CHECK (outcome IN ('flipped', 'aborted', 'failed', 'planned')),
    started_at    timestamptz NOT NULL DEFAULT now(),
    ended_at      timestamptz,
    freeze_ms     double precision,
    fence_beats   bigint,
    fence_lsn     text,
    message       text,
    report        jsonb
);
CREATE INDEX cutover_run_latest ON bluegreen.cutover_run (pipeline, started_at DESC);

CREATE TABLE bluegreen.cutover_step (
    run_id      bigint           NOT NULL REFERENCES bluegreen.cutover_run (id) ON DELETE CASCADE,
    seq         int              NOT NULL,
    step        text             NOT NULL,
    started_at  timestamptz      NOT NULL,
    duration_ms double precision,
    outcome     text,
    detail      text,
    PRIMARY KEY (run_id, seq)
);
