-- Migration 2: hourly roll-ups of the interval telemetry, written by the analyzer's compaction job.
-- One row per (rollout, subset, metric or counter, hour) merged exactly across sidecars and intervals: histograms are
-- the HistogramCodec encoding of the bucket-wise sum, counters the sum of values. hour_start is a whole UTC hour and
-- an interval belongs to the hour its interval_start falls in.
--
-- compacted_hours is the ledger: a (rollout, hour) is in it exactly when its hourly rows are complete, because the
-- compaction writes both in one transaction. Readers use hourly rows for ledger hours and raw intervals for the
-- others; retention deletes raw intervals only of ledger hours.

CREATE TABLE hourly_histograms (
    rollout    text        NOT NULL,
    subset     text        NOT NULL,
    metric     text        NOT NULL,
    hour_start timestamptz NOT NULL,
    count      bigint      NOT NULL CHECK (count >= 0),
    sum        bigint      NOT NULL,
    min        bigint      NOT NULL,
    max        bigint      NOT NULL,
    encoded    bytea       NOT NULL,
    PRIMARY KEY (rollout, hour_start, subset, metric)
);

CREATE TABLE hourly_counters (
    rollout    text        NOT NULL,
    subset     text        NOT NULL,
    counter    text        NOT NULL,
    hour_start timestamptz NOT NULL,
    value      bigint      NOT NULL,
    PRIMARY KEY (rollout, hour_start, subset, counter)
);

CREATE TABLE compacted_hours (
    rollout        text        NOT NULL,
    hour_start     timestamptz NOT NULL,
    -- Raw rows merged, for audit; rows written after compacted_at are late arrivals the roll-up does not hold.
    histogram_rows bigint      NOT NULL DEFAULT 0,
    counter_rows   bigint      NOT NULL DEFAULT 0,
    compacted_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rollout, hour_start)
);
