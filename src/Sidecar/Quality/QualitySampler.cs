using Canary.Sidecar.Model;
using Canary.Sidecar.Routing;

namespace Canary.Sidecar.Quality;

/// <summary>
/// Decides which exchanges become quality samples: only rollouts that ask for them (<see cref="RolloutModel.QualitySampleBasisPoints"/>),
/// only the sticky comparison (never testers, excluded users, requests without a user key or feedback calls), and only
/// when samples can be stored (a database is configured). The draw is per exchange, independent of the user's bucket,
/// so every user's requests are sampled at the same rate whichever arm serves them.
/// </summary>
internal sealed class QualitySampler
{
    private readonly IRequestRandom _random;
    private readonly QualityOptions _options;
    private readonly QualityCounters _counters;
    private readonly TimeProvider _time;

    public QualitySampler(QualitySettings settings, QualityCounters counters, TimeProvider time, bool enabled)
    {
        _options = settings.Options;
        _random = new SplitMixRequestRandom(_options.RandomSeed ?? (ulong)Random.Shared.NextInt64());
        _counters = counters;
        _time = time;
        Enabled = enabled;
    }

    /// <summary>False without a database: nothing would keep the samples, so none are taken.</summary>
    public bool Enabled { get; }

    /// <summary>
    /// After the assignment: starts a capture in <paramref name="state"/> when this exchange is drawn. One field read
    /// for rollouts that do not sample.
    /// </summary>
    public bool TryStart(RolloutModel route, bool feedback, ref ExchangeState state)
    {
        var rate = route.QualitySampleBasisPoints;
        if (rate == 0 || !Enabled || feedback || state.Reason != AssignmentReason.Sticky || _random.NextBucket() >= rate)
        {
            return false;
        }

        _counters.Count(QualityCounter.Sampled);
        state.Sample = new QualitySampleCapture(Guid.CreateVersion7(_time.GetUtcNow()), route.Definition.RouteKey, _time.GetUtcNow(), state.Bucket, _options.MaxRequestBytes, _options.MaxResponseBytes);
        return true;
    }

    /// <summary>
    /// Drops the capture <see cref="TryStart"/> began when the request body will not come after all, and counts it, so
    /// every drawn sample is accounted for in <c>canary_quality_samples_total</c>.
    /// </summary>
    public void AbandonForLackOfBody(ref ExchangeState state)
    {
        state.Sample = null;
        _counters.Count(QualityCounter.NoRequestBody);
    }
}
