-- Migration 1: interval telemetry written by the sidecars and read by the analyzer.
-- One row per (sidecar, rollout, subset, metric or counter, interval); the primary key makes a retried batch a no-op
-- (the sidecar inserts with ON CONFLICT DO NOTHING). interval_start is the sidecar's clock when the interval began;
-- interval_ms is its length. Metric and counter names are TelemetryNames in Canary.Contracts.

CREATE TABLE interval_histograms (
    sidecar_id     text        NOT NULL,
    rollout        text        NOT NULL,
    subset         text        NOT NULL,
    metric         text        NOT NULL,
    interval_start timestamptz NOT NULL,
    interval_ms    integer     NOT NULL CHECK (interval_ms > 0),
    count          bigint      NOT NULL CHECK (count >= 0),
    sum            bigint      NOT NULL,
    min            bigint      NOT NULL,
    max            bigint      NOT NULL,
    -- HistogramCodec version 1: version byte, layout, count/sum/min/max, sparse (index gap, count) varints.
    encoded        bytea       NOT NULL,
    written_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sidecar_id, rollout, subset, metric, interval_start)
);

-- The analyzer reads a window of one rollout across all sidecars.
CREATE INDEX interval_histograms_rollout_time ON interval_histograms (rollout, interval_start);

CREATE TABLE interval_counters (
    sidecar_id     text        NOT NULL,
    rollout        text        NOT NULL,
    subset         text        NOT NULL,
    counter        text        NOT NULL,
    interval_start timestamptz NOT NULL,
    interval_ms    integer     NOT NULL CHECK (interval_ms > 0),
    value          bigint      NOT NULL,
    written_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sidecar_id, rollout, subset, counter, interval_start)
);

CREATE INDEX interval_counters_rollout_time ON interval_counters (rollout, interval_start);
