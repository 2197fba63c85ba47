-- Migration 4: five-minute roll-ups ("slices") of the interval telemetry, so a window ending now reads a few recent raw
-- intervals instead of up to two uncompacted hours of them. Same shape and exact merge as the hourly roll-ups
-- (migration 2): one row per (rollout, subset, metric or counter, slice) summed across sidecars and intervals; an
-- interval belongs to the slice its interval_start falls in; slice_start is a multiple of five minutes since the epoch.
--
-- compacted_slices is the ledger: a (rollout, slice) is in it exactly when its slice rows are complete (one
-- transaction). Readers use hourly rows for ledger hours, slice rows for ledger slices of the other hours, and raw
-- intervals for the rest. The hourly compaction still reads the raw rows, so a late flush missed by a slice is in its
-- hour. Retention deletes slices together with the raw rows of their hour.

CREATE TABLE slice_histograms (
    rollout     text        NOT NULL,
    subset      text        NOT NULL,
    metric      text        NOT NULL,
    slice_start timestamptz NOT NULL,
    count       bigint      NOT NULL CHECK (count >= 0),
    sum         bigint      NOT NULL,
    min         bigint      NOT NULL,
    max         bigint      NOT NULL,
    encoded     bytea       NOT NULL,
    PRIMARY KEY (rollout, slice_start, subset, metric)
);

CREATE TABLE slice_counters (
    rollout     text        NOT NULL,
    subset      text        NOT NULL,
    counter     text        NOT NULL,
    slice_start timestamptz NOT NULL,
    value       bigint      NOT NULL,
    PRIMARY KEY (rollout, slice_start, subset, counter)
);

CREATE TABLE compacted_slices (
    rollout        text        NOT NULL,
    slice_start    timestamptz NOT NULL,
    histogram_rows bigint      NOT NULL DEFAULT 0,
    counter_rows   bigint      NOT NULL DEFAULT 0,
    compacted_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rollout, slice_start)
);

-- What-if verdicts recorded by `canary-analyzer replay --record`: the decision engine run over stored telemetry as of
-- past instants. Kept apart from rollout_decisions so nothing that reads the audit trail (status, history, reports,
-- alerts) can take a replay for a decision that was made; a replay never acts and never writes the desired table.
CREATE TABLE replay_decisions (
    id               bigserial   PRIMARY KEY,
    replay_id        text        NOT NULL,
    rollout          text        NOT NULL,
    as_of            timestamptz NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    verdict          text        NOT NULL,
    reason           text        NOT NULL,
    stage_index      integer     NOT NULL,
    weight_bp        integer     NOT NULL,
    target_weight_bp integer     NOT NULL,
    window_start     timestamptz NOT NULL,
    window_end       timestamptz NOT NULL,
    canary_requests  bigint      NOT NULL,
    stable_requests  bigint      NOT NULL,
    evidence_json    jsonb       NOT NULL
);

CREATE INDEX replay_decisions_rollout ON replay_decisions (rollout, replay_id, as_of);
