-- Migration 7: stage 1 with testers only. A rollout can sit in the desired table at weight 0 while its preflight runs:
-- forced-canary users and opt-in requests reach the canary, nobody else does, and no automatic decision is taken
-- until `start` moves it to its first weight.
ALTER TABLE rollout_progress DROP CONSTRAINT rollout_progress_status_check;
ALTER TABLE rollout_progress ADD CONSTRAINT rollout_progress_status_check
    CHECK (status IN ('testers', 'running', 'paused', 'rolled_back', 'completed'));
