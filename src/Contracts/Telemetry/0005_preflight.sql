-- Migration 5: stage 1 of a rollout, the preflight on a curated test set, and operator skips of it.

-- One row per preflight run (or per recorded skip). `start` looks at the newest row for the same rollout and the same
-- stable and canary versions: only 'pass' or 'skipped' lets a rollout past stage 1.
CREATE TABLE rollout_preflights (
    id               bigserial   PRIMARY KEY,
    rollout          text        NOT NULL,
    stable_subset    text        NOT NULL,
    canary_subset    text        NOT NULL,
    verdict          text        NOT NULL CHECK (verdict IN ('pass', 'fail', 'incomplete', 'skipped')),
    reason           text        NOT NULL,
    started_at       timestamptz NOT NULL,
    finished_at      timestamptz NOT NULL,
    test_set         text,
    test_set_sha256  text,
    cases            integer     NOT NULL DEFAULT 0,
    skipped_by       text,
    report_json      jsonb       NOT NULL
);

CREATE INDEX rollout_preflights_lookup ON rollout_preflights (rollout, stable_subset, canary_subset, id);
