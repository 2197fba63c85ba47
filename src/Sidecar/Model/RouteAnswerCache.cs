using Canary.Sidecar.Wire;

namespace Canary.Sidecar.Model;

/// <summary>
/// The prebuilt answers of one snapshot's routes, one instance per (kind, subset): every route naming the same subset
/// shares it, and the next snapshot takes over the answers of subsets it still names. Answers are immutable byte
/// frames, so sharing them between routes and snapshots is safe.
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
        ServedSubset,
        ServedSubsetAndStreamBody,
    }

    public string SubsetHeader { get; }

    public string? ServedSubsetHeader { get; }

    /// <summary>request_headers answer setting the subset header to <paramref name="subset"/>.</summary>
    public ProcessingAnswer SetSubset(string subset) => Get(AnswerKind.SetSubset, subset);

    /// <summary>request_headers answer setting the subset header and asking for the buffered body (model rewrite).</summary>
    public ProcessingAnswer SetSubsetAndBufferBody(string subset) => Get(AnswerKind.SetSubsetAndBufferBody, subset);

    /// <summary>response_headers answer naming the serving subset; only when a served-subset header is configured.</summary>
    public ProcessingAnswer ServedSubset(string subset, bool streamBody) =>
        Get(streamBody ? AnswerKind.ServedSubsetAndStreamBody : AnswerKind.ServedSubset, subset);

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

        // A sealed cache is shared by concurrent builds that only read it; writing it would race them.
        if (_sealed)
        {
            throw new InvalidOperationException("the cache of a built snapshot is read-only");
        }

        if (_previous is null || !_previous._answers.TryGetValue((kind, subset), out answer))
        {
            answer = Create(kind, subset);
        }

        _answers.Add((kind, subset), answer);
        return answer;
    }

    private ProcessingAnswer Create(AnswerKind kind, string subset) => kind switch
    {
        AnswerKind.SetSubset => ProcessingAnswers.SetRequestHeader(SubsetHeader, subset),
        AnswerKind.SetSubsetAndBufferBody => ProcessingAnswers.SetRequestHeaderAndBufferBody(SubsetHeader, subset),
        AnswerKind.ServedSubset => ProcessingAnswers.ResponseHeadersWithServedSubset(ServedSubsetHeader!, subset, streamBody: false),
        _ => ProcessingAnswers.ResponseHeadersWithServedSubset(ServedSubsetHeader!, subset, streamBody: true),
    };
}
