-- Migration 6: alerts that fire at most once per rollout and stage (long hold, split mismatch). The analyzer claims a
-- row with INSERT ... ON CONFLICT DO NOTHING before it queues the alert, so repeated CronJob runs, and two analyzers
-- looking at once, send it once. The stage is keyed by its start time too: a rollout started again under the same
-- name begins a new stage 0.
CREATE TABLE rollout_alerts (
    rollout           text        NOT NULL,
    kind              text        NOT NULL,
    stage_index       integer     NOT NULL,
    stage_started_at  timestamptz NOT NULL,
    claimed_at        timestamptz NOT NULL,
    PRIMARY KEY (rollout, kind, stage_index, stage_started_at)
);
