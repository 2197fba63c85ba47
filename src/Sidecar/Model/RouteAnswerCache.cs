using Canary.Sidecar.Wire;

namespace Canary.Sidecar.Model;

/// <summary>
/// The prebuilt answers of one table model's rollouts, one instance per (kind, subset): every rollout naming the same
/// subset shares it, and the next model takes over the answers of subsets it still names; likewise the
/// <see cref="ArmNames"/> of each (stable, canary) pair. Answers are immutable byte frames, so sharing them between
/// rollouts and models is safe. The request_headers answers that carry a rollout's own <c>canary</c> metadata are
/// built per rollout from the shared ones (<see cref="RolloutModel"/>).
/// </summary>
/// <remarks>
/// Building an answer serializes a few nested messages (about 1.3 KB of garbage each); doing it twice per route made
/// encoding answers most of the cost of applying a large table, although most tables name a handful of subsets and a
/// new table mostly repeats the previous one's. Life cycle: filled while its snapshot is built (one thread), then
/// <see cref="Seal"/>ed, after which it is only read, as the previous cache of later builds (possibly two at once: a
/// push and a tripwire). Sealing drops the link to the previous cache, so snapshots never keep their predecessors
/// alive.
/// </remarks>
internal sealed class RouteAnswerCache
{
    private readonly Dictionary<(AnswerKind Kind, string Subset), ProcessingAnswer> _answers = [];
    private readonly Dictionary<(string Stable, string Canary), ArmNames> _arms = [];
    private RouteAnswerCache? _previous;
    private bool _sealed;

    /// <summary>A cache for a snapshot being built on one whose cache is <paramref name="previous"/> (null for none); a
    /// previous cache built for other header names is ignored, since the names are part of every answer.</summary>
    public RouteAnswerCache(string subsetHeader, string? servedSubsetHeader, RouteAnswerCache? previous)
    {
        SubsetHeader = subsetHeader;
        ServedSubsetHeader = servedSubsetHeader;
        _previous = previous is not null && previous.SubsetHeader == subsetHeader && previous.ServedSubsetHeader == servedSubsetHeader
            ? previous
            : null;
    }

    private enum AnswerKind
    {
        SetSubset,
        SetSubsetAndBufferBody,
        SetSubsetAndPeekBody,
        ServedSubset,
        ServedSubsetAndStreamBody,
    }

    public string SubsetHeader { get; }

    public string? ServedSubsetHeader { get; }

    /// <summary>request_headers answer setting the subset header to <paramref name="subset"/>.</summary>
    public ProcessingAnswer SetSubset(string subset) => Get(AnswerKind.SetSubset, subset);

    /// <summary>request_headers answer setting the subset header and asking for the buffered body (model rewrite).</summary>
    public ProcessingAnswer SetSubsetAndBufferBody(string subset) => Get(AnswerKind.SetSubsetAndBufferBody, subset);

    /// <summary>request_headers answer setting the subset header and asking for the body up to Envoy's buffer limit (a quality sample).</summary>
    public ProcessingAnswer SetSubsetAndPeekBody(string subset) => Get(AnswerKind.SetSubsetAndPeekBody, subset);

    /// <summary>response_headers answer naming the serving subset; only when a served-subset header is configured.</summary>
    public ProcessingAnswer ServedSubset(string subset, bool streamBody) =>
        Get(streamBody ? AnswerKind.ServedSubsetAndStreamBody : AnswerKind.ServedSubset, subset);

    /// <summary>The arm names of rollouts between <paramref name="stableSubset"/> and <paramref name="canarySubset"/>.</summary>
    public ArmNames Arms(string stableSubset, string canarySubset)
    {
        var key = (stableSubset, canarySubset);
        if (_arms.TryGetValue(key, out var arms))
        {
            return arms;
        }

        ThrowIfSealed();
        if (_previous is null || !_previous._arms.TryGetValue(key, out arms))
        {
            arms = new ArmNames(stableSubset, canarySubset);
        }

        _arms.Add(key, arms);
        return arms;
    }

    /// <summary>Ends the build: the cache is read-only from now on and forgets the previous one.</summary>
    public void Seal()
    {
        _sealed = true;
        _previous = null;
    }

    private ProcessingAnswer Get(AnswerKind kind, string subset)
    {
        if (_answers.TryGetValue((kind, subset), out var answer))
        {
            return answer;
        }

        ThrowIfSealed();

        if (_previous is null || !_previous._answers.TryGetValue((kind, subset), out answer))
        {
            answer = Create(kind, subset);
        }

        _answers.Add((kind, subset), answer);
        return answer;
    }

    // A sealed cache is shared by concurrent builds that only read it; writing it would race them.
    private void ThrowIfSealed()
    {
        if (_sealed)
        {
            throw new InvalidOperationException("the cache of a built table model is read-only");
        }
    }

    private ProcessingAnswer Create(AnswerKind kind, string subset) => kind switch
    {
        AnswerKind.SetSubset => ProcessingAnswers.SetRequestHeader(SubsetHeader, subset),
        AnswerKind.SetSubsetAndBufferBody => ProcessingAnswers.SetRequestHeaderAndBufferBody(SubsetHeader, subset),
        AnswerKind.SetSubsetAndPeekBody => ProcessingAnswers.SetRequestHeaderAndPeekBody(SubsetHeader, subset),
        AnswerKind.ServedSubset => ProcessingAnswers.ResponseHeadersWithServedSubset(ServedSubsetHeader!, subset, streamBody: false),
        _ => ProcessingAnswers.ResponseHeadersWithServedSubset(ServedSubsetHeader!, subset, streamBody: true),
    };
}
