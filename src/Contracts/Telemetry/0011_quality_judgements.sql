-- Migration 11: judgements of quality samples. The analyzer sends each stored sample (answer present, not incomplete)
-- to a judge model with the operator's rubric and keeps one row per sample and kind of judgement ('rubric': a score
-- from 1 to 5 and pass or fail). The key (sample_id, kind) is what keeps a sample from being judged, and paid for,
-- twice. outcome: 'judged' (score and passed set), 'unparseable' (the judge answered, but not with a verdict in range:
-- final, never a score), 'failed' (no answer after the call's retries: tried again by later runs until attempts
-- reaches the analyzer's Canary:Judge:MaxRunsPerSample). A judgement goes with its sample, at the end of the sample's
-- retention or by purge-samples: its reason may quote the answer.
CREATE TABLE quality_judgements (
    sample_id      uuid          NOT NULL REFERENCES quality_samples (sample_id) ON DELETE CASCADE,
    kind           text          NOT NULL DEFAULT 'rubric',
    rollout        text          NOT NULL,
    arm            text          NOT NULL CHECK (arm IN ('stable', 'canary')),
    judged_at      timestamptz   NOT NULL,
    judge_model    text          NOT NULL,
    outcome        text          NOT NULL CHECK (outcome IN ('judged', 'unparseable', 'failed')),
    score          smallint      CHECK (score BETWEEN 1 AND 5),
    passed         boolean,
    reason         text          NOT NULL,
    attempts       integer       NOT NULL DEFAULT 1,
    input_tokens   bigint,
    output_tokens  bigint,
    cost_usd       numeric(18,8) NOT NULL DEFAULT 0,
    PRIMARY KEY (sample_id, kind),
    CHECK ((outcome = 'judged') = (score IS NOT NULL AND passed IS NOT NULL))
);

CREATE INDEX quality_judgements_rollout_time ON quality_judgements (rollout, judged_at);

-- What the judge cost per UTC day, over every rollout: the daily spend cap is checked against this, not against the
-- judgements, so deleting samples (and their judgements) does not give back a day's budget. Every call's cost is
-- added, including one whose judgement another analyzer stored first.
CREATE TABLE quality_judge_spend (
    day       date          PRIMARY KEY,
    cost_usd  numeric(18,8) NOT NULL,
    calls     bigint        NOT NULL
);
