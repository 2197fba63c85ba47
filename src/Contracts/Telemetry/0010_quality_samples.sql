-- Migration 10: quality samples. For rollouts that ask for them (qualitySampleBasisPoints in the rollout table), the
-- sidecars keep a share of the comparison's exchanges: the request as the client sent it and the answer's text, both
-- redacted by the sidecar's rules before they are written, with the arm, the user's sticky bucket (for user-level
-- statistics), the finish reason and the token counts. The key is an id the sidecar draws per sample, so a batch
-- written again after an ambiguous failure is stored once. Deleted after the analyzer's retention (7 days by default)
-- or by `canary-analyzer purge-samples`.
CREATE TABLE quality_samples (
    sample_id          uuid        PRIMARY KEY,
    rollout            text        NOT NULL,
    subset             text        NOT NULL,
    arm                text        NOT NULL CHECK (arm IN ('stable', 'canary')),
    bucket             integer     NOT NULL,
    sidecar_id         text        NOT NULL,
    sampled_at         timestamptz NOT NULL,
    status             integer     NOT NULL,
    finish_reason      text        NOT NULL,
    input_tokens       bigint,
    output_tokens      bigint,
    refusal            boolean     NOT NULL,
    incomplete         boolean     NOT NULL,
    request_body       text        NOT NULL,
    request_truncated  boolean     NOT NULL,
    answer             text        NOT NULL,
    answer_truncated   boolean     NOT NULL,
    written_at         timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX quality_samples_rollout_time ON quality_samples (rollout, sampled_at);
