-- Migration 9: per-user-group telemetry, so the analyzer can treat users, not requests, as the independent units.
-- groups: the row's value split over the 32 user groups of its arm (UserGroupCodec: per-group counter values, or per-group
-- value counts, sums and coarse histograms); NULL for rows written without them (off-comparison arms, older sidecars).
-- buckets: on a 'requests' counter row, the sticky buckets that sent those requests (UserGroupCodec bucket set).
-- Roll-ups merge both exactly (sums, unions), so the same columns exist on every tier.

ALTER TABLE interval_histograms ADD COLUMN groups bytea;
ALTER TABLE interval_counters ADD COLUMN groups bytea, ADD COLUMN buckets bytea;
ALTER TABLE slice_histograms ADD COLUMN groups bytea;
ALTER TABLE slice_counters ADD COLUMN groups bytea, ADD COLUMN buckets bytea;
ALTER TABLE hourly_histograms ADD COLUMN groups bytea;
ALTER TABLE hourly_counters ADD COLUMN groups bytea, ADD COLUMN buckets bytea;
