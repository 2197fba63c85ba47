-- Migration 12: paired comparisons of quality samples. Where both versions can be called directly (the endpoints the
-- rollout's preflight used), the analyzer sends a sampled request to the version that did not answer it, and the judge
-- compares the two answers twice, once in each order, without learning which version wrote which. One row per sample.
-- canary_first / stable_first: the answer the judge preferred when the canary's answer was shown first / second
-- ('canary', 'stable' or 'tie'); result: the canary's outcome for the prompt, 'win' or 'loss' only when both orders
-- agree, otherwise 'tie' (an order-dependent verdict is a tie). outcome: 'decided' (result set), 'unparseable' (a
-- judge answer that was not a verdict: final), 'other_failed' (the other version gave no answer: final),
-- 'failed' (the judge gave no answer after the call's retries: retried by later runs up to attempts). The other
-- version's answer is kept, redacted by the analyzer's rules, for the report; it goes with its sample.
CREATE TABLE quality_pairs (
    sample_id      uuid          PRIMARY KEY REFERENCES quality_samples (sample_id) ON DELETE CASCADE,
    rollout        text          NOT NULL,
    arm            text          NOT NULL CHECK (arm IN ('stable', 'canary')),
    paired_at      timestamptz   NOT NULL,
    judge_model    text          NOT NULL,
    outcome        text          NOT NULL CHECK (outcome IN ('decided', 'unparseable', 'other_failed', 'failed')),
    canary_first   text          CHECK (canary_first IN ('canary', 'stable', 'tie')),
    stable_first   text          CHECK (stable_first IN ('canary', 'stable', 'tie')),
    result         text          CHECK (result IN ('win', 'tie', 'loss')),
    reason         text          NOT NULL,
    other_answer   text          NOT NULL DEFAULT '',
    attempts       integer       NOT NULL DEFAULT 1,
    cost_usd       numeric(18,8) NOT NULL DEFAULT 0,
    CHECK ((outcome = 'decided') = (result IS NOT NULL))
);

CREATE INDEX quality_pairs_rollout_time ON quality_pairs (rollout, paired_at);
