using System.Text;
using Canary.Contracts.Rollouts;
using Canary.Sidecar.Telemetry.Recording;

namespace Canary.Sidecar.Model;

/// <summary>
/// The compiled rollout table every request reads: an immutable model of one rollout table, prepared for lookups by
/// the raw bytes of the route-key header. Readers take the current model once per message and never lock; a new
/// table produces a new model that is swapped in atomically by <see cref="RolloutTableHolder"/>.
/// </summary>
internal sealed class RolloutTableModel
{
    /// <summary>At most this many distinct opt-in header names, so their presence fits in one 64-bit mask.</summary>
    public const int MaxOptInHeaders = 64;

    // Route key (as a string) to position in Routes, for the cold paths that hold a string: the next Build carrying
    // counters over, the tripwire, the control API. A scan per lookup made building a table quadratic in its size.
    private readonly Dictionary<string, int> _indexByKey;

    private RolloutTableModel(RolloutTable table, RoutingSettings headers, RolloutModel[] routes, ByteKeyMap routeIndex, Dictionary<string, int> indexByKey, RouteAnswerCache answers, byte[][] optInHeaders, DateTimeOffset appliedAt, TableSource source)
    {
        Answers = answers;
        _indexByKey = indexByKey;
        Source = source;
        Table = table;
        Headers = headers;
        Routes = routes;
        RouteIndex = routeIndex;
        OptInHeaders = optInHeaders;
        AppliedAt = appliedAt;
        HeaderLengthFilter = BuildLengthFilter(headers, optInHeaders);
    }

    public RolloutTable Table { get; }

    /// <summary>The answers the routes share (sealed); the next snapshot built on this one reuses them.</summary>
    internal RouteAnswerCache Answers { get; }

    public long Generation => Table.Generation;

    public RoutingSettings Headers { get; }

    public RolloutModel[] Routes { get; }

    public ByteKeyMap RouteIndex { get; }

    /// <summary>Distinct opt-in header names used by any rollout; bit i of a request's mask means header i was present.</summary>
    public byte[][] OptInHeaders { get; }

    /// <summary>
    /// Bit n is set when some header the decision reads is n bytes long (bit 63: 63 or more). Most request headers
    /// have a length no configured name has, so one shift and test skips all name comparisons for them.
    /// </summary>
    public ulong HeaderLengthFilter { get; }

    /// <summary>True when a header of this name length may be one the decision reads.</summary>
    public bool MayBeRead(int nameLength) => ((HeaderLengthFilter >> Math.Min(nameLength, 63)) & 1) != 0;

    private static ulong BuildLengthFilter(RoutingSettings headers, byte[][] optInHeaders)
    {
        ulong filter = 0;
        void Add(int length) => filter |= 1UL << Math.Min(length, 63);
        Add(headers.RouteKeyHeader.Length);
        Add(headers.SubsetHeader.Length);
        Add("content-length".Length);
        if (headers.FeedbackPath.Length > 0)
        {
            Add(":path".Length);
            Add(headers.FeedbackRatingHeader.Length);
        }
        if (headers.TenantHeader.Length > 0)
        {
            Add(headers.TenantHeader.Length);
        }

        foreach (var name in headers.UserKeyHeaders)
        {
            Add(name.Length);
        }

        foreach (var name in optInHeaders)
        {
            Add(name.Length);
        }

        return filter;
    }

    public DateTimeOffset AppliedAt { get; }

    public TableSource Source { get; }

    /// <summary>
    /// Compiles a table. Counters of rollouts that <paramref name="previous"/> already had (same route key) carry over,
    /// and so do the prebuilt answers and arm names of subsets it already named; telemetry arms are found again in
    /// <paramref name="telemetry"/> by route key and subset when a request first uses them.
    /// The table must already be valid (<see cref="RolloutTableValidator"/>).
    /// </summary>
    public static RolloutTableModel Build(RolloutTable table, RoutingSettings headers, RolloutTableModel? previous, DateTimeOffset appliedAt, TableSource source, TelemetryRegistry? telemetry = null)
    {
        var optInNames = new List<string>();
        var routes = new RolloutModel[table.Rollouts.Count];
        var indexEntries = new List<KeyValuePair<string, int>>(table.Rollouts.Count);
        var indexByKey = new Dictionary<string, int>(table.Rollouts.Count, StringComparer.Ordinal);
        var answers = new RouteAnswerCache(headers.SubsetHeaderName, headers.ServedSubsetHeader, previous?.Answers);
        for (var i = 0; i < routes.Length; i++)
        {
            var definition = table.Rollouts[i];
            var optInIndex = -1;
            if (definition.OptInHeader is not null)
            {
                optInIndex = optInNames.IndexOf(definition.OptInHeader);
                if (optInIndex < 0)
                {
                    if (optInNames.Count == MaxOptInHeaders)
                    {
                        throw new InvalidOperationException($"more than {MaxOptInHeaders} distinct opt-in headers");
                    }

                    optInNames.Add(definition.OptInHeader);
                    optInIndex = optInNames.Count - 1;
                }
            }

            var previousRollout = previous?.FindByKey(definition.RouteKey);
            var counters = previousRollout?.Counters ?? new RolloutCounters();
            routes[i] = new RolloutModel(i, definition, optInIndex, counters, answers, headers.FeedbackPath.Length > 0, telemetry, previousRollout);
            indexEntries.Add(new KeyValuePair<string, int>(definition.RouteKey, i));
            indexByKey[definition.RouteKey] = i;
        }

        answers.Seal();
        var optInHeaders = new byte[optInNames.Count][];
        for (var i = 0; i < optInHeaders.Length; i++)
        {
            optInHeaders[i] = Encoding.ASCII.GetBytes(optInNames[i]);
        }

        var index = indexEntries.Count == 0 ? ByteKeyMap.Empty : new ByteKeyMap(indexEntries);
        return new RolloutTableModel(table, headers, routes, index, indexByKey, answers, optInHeaders, appliedAt, source);
    }

    public RolloutModel? Find(ReadOnlySpan<byte> routeKey) =>
        RouteIndex.TryGetValue(routeKey, out var index) ? Routes[index] : null;

    /// <summary>Finds a rollout by its route key as a string (cold paths: control API, tripwire, metrics).</summary>
    public RolloutModel? FindByKey(string routeKey) =>
        _indexByKey.TryGetValue(routeKey, out var index) ? Routes[index] : null;
}
