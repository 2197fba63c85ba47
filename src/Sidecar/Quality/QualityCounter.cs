namespace Canary.Sidecar.Quality;

/// <summary>What happened to quality samples; each is one series of <c>canary_quality_samples_total</c>.</summary>
internal enum QualityCounter
{
    /// <summary>An exchange was drawn.</summary>
    Sampled,

    /// <summary>A drawn exchange ended outside the comparison (a model-rewrite request left unrewritten) and was dropped.</summary>
    OutsideComparison,

    /// <summary>
    /// Drawn on a model-rewrite route whose request body the rewrite does not ask Envoy for (over its size limit), so
    /// there is no request to keep; dropped.
    /// </summary>
    NoRequestBody,

    /// <summary>Queued for PostgreSQL.</summary>
    Queued,

    /// <summary>Dropped because the queue was full (the database slow or away).</summary>
    DroppedQueueFull,

    /// <summary>Written to PostgreSQL.</summary>
    Written,

    /// <summary>Dropped because PostgreSQL refused the batch's data (it would refuse it again).</summary>
    RejectedByDatabase,

    /// <summary>A write attempt failed (retried).</summary>
    WriteFailures,
}
