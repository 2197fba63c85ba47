-- The desired rollout table: one row, written by the analyzer, read by every sidecar at start and on each poll.
-- `generation` is authoritative and equals the "generation" inside table_json; a write only ever raises it.
CREATE TABLE IF NOT EXISTS canary_desired_table (
    id          integer     PRIMARY KEY CHECK (id = 1),
    generation  bigint      NOT NULL CHECK (generation >= 0),
    table_json  jsonb       NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
