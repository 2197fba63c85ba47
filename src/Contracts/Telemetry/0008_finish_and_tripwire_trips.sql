-- Migration 8: the end of a rollout's lifecycle, and the sidecars' tripwire trips the analyzer has recorded.
--
-- 'finished': a completed rollout whose canary was made the stable version in the desired table (`canary-analyzer
-- finish`); nothing more is decided for it.
ALTER TABLE rollout_progress DROP CONSTRAINT rollout_progress_status_check;
ALTER TABLE rollout_progress ADD CONSTRAINT rollout_progress_status_check
    CHECK (status IN ('testers', 'running', 'paused', 'rolled_back', 'completed', 'finished'));

-- One row per trip a sidecar's local tripwire reported through its control API (GetTable), claimed in the same
-- transaction as the decision record it produced, so a trip is recorded once however many runs (or analyzers) see it.
-- The key is the sidecar's id and the trip's time: a trip lives in that sidecar process's memory.
CREATE TABLE rollout_tripwire_trips (
    rollout          text        NOT NULL,
    sidecar_id       text        NOT NULL,
    tripped_at       timestamptz NOT NULL,
    endpoint         text        NOT NULL,
    generation       bigint      NOT NULL,
    canary_failures  integer     NOT NULL,
    canary_requests  integer     NOT NULL,
    stable_failures  integer     NOT NULL,
    stable_requests  integer     NOT NULL,
    reason           text        NOT NULL,
    recorded_at      timestamptz NOT NULL,
    PRIMARY KEY (rollout, sidecar_id, tripped_at)
);
