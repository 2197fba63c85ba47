-- Migration 3: the analyzer's rollout lifecycle and its audit trail, and the desired table the sidecars read.

-- The desired table (also created idempotently by DesiredTableSchema for sidecars that start before any migration).
CREATE TABLE IF NOT EXISTS canary_desired_table (
    id          integer     PRIMARY KEY CHECK (id = 1),
    generation  bigint      NOT NULL CHECK (generation >= 0),
    table_json  jsonb       NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Where each rollout stands: its stage, when the stage began, and the sequential-test state carried between looks.
CREATE TABLE rollout_progress (
    rollout           text        PRIMARY KEY,
    status            text        NOT NULL CHECK (status IN ('running', 'paused', 'rolled_back', 'completed')),
    stage_index       integer     NOT NULL CHECK (stage_index >= 0),
    stage_started_at  timestamptz NOT NULL,
    options_json      jsonb       NOT NULL,
    sequential_json   jsonb,
    archive_at        timestamptz,
    hold_since        timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- One row per decision: what was seen, what was decided, what was done, and why, in one plain sentence.
CREATE TABLE rollout_decisions (
    id               bigserial   PRIMARY KEY,
    rollout          text        NOT NULL,
    decided_at       timestamptz NOT NULL,
    verdict          text        NOT NULL,
    action           text        NOT NULL,
    reason           text        NOT NULL,
    stage_index      integer     NOT NULL,
    from_weight_bp   integer     NOT NULL,
    to_weight_bp     integer     NOT NULL,
    generation       bigint,
    window_start     timestamptz NOT NULL,
    window_end       timestamptz NOT NULL,
    canary_requests  bigint      NOT NULL,
    stable_requests  bigint      NOT NULL,
    evidence_json    jsonb       NOT NULL,
    dry_run          boolean     NOT NULL DEFAULT false
);

CREATE INDEX rollout_decisions_rollout_time ON rollout_decisions (rollout, decided_at);

-- Which sidecars acknowledged which generation, per push.
CREATE TABLE rollout_push_acks (
    generation    bigint      NOT NULL,
    sidecar       text        NOT NULL,
    endpoint      text        NOT NULL,
    acknowledged  boolean     NOT NULL,
    applied_generation bigint,
    error         text,
    latency_ms    double precision NOT NULL,
    pushed_at     timestamptz NOT NULL,
    PRIMARY KEY (generation, endpoint)
);
