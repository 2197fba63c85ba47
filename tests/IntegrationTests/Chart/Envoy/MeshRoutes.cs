using System.Text.Json.Nodes;

namespace Canary.IntegrationTests.Chart.Envoy;

/// <summary>
/// The rendered VirtualServices and DestinationRules as Envoy's router applies them: the first http route whose header
/// matches hold, then a destination by weight (a weight of 0 is never taken; several positive weights are split by the
/// request's position, deterministically); the destination's subset names pod labels through its DestinationRule.
/// </summary>
internal sealed class MeshRoutes
{
    private readonly List<JsonObject> _virtualServices;
    private readonly List<JsonObject> _destinationRules;
    private long _requests;

    public MeshRoutes(IEnumerable<JsonObject> virtualServices, IEnumerable<JsonObject> destinationRules)
    {
        _virtualServices = [.. virtualServices];
        _destinationRules = [.. destinationRules];
    }

    public bool Any => _virtualServices.Count > 0;

    /// <summary>The destination host, subset and that subset's pod labels for a request to <paramref name="host"/>.</summary>
    public (string Host, string Subset, IReadOnlyDictionary<string, string> PodLabels)? Route(string host, IReadOnlyList<(string Key, string Value)> headers)
    {
        var service = _virtualServices.FirstOrDefault(vs => vs["spec"]!["hosts"]!.AsArray().Any(h => (string?)h == host));
        if (service is null)
        {
            return null;
        }

        foreach (var route in service["spec"]!["http"]!.AsArray())
        {
            if (!Matches(route!["match"], headers))
            {
                continue;
            }

            var destinations = route["route"]!.AsArray().Select(d => d!.AsObject()).ToList();
            var weights = destinations.Select(d => (int?)d["weight"] ?? (destinations.Count == 1 ? 100 : 0)).ToList();
            Assert.Equal(100, weights.Sum());
            var position = (int)(Interlocked.Increment(ref _requests) % 100);
            var chosen = destinations[0];
            for (int i = 0, sum = 0; i < destinations.Count; i++)
            {
                sum += weights[i];
                if (position < sum)
                {
                    chosen = destinations[i];
                    break;
                }
            }

            var target = (string)chosen["destination"]!["host"]!;
            var subset = (string)chosen["destination"]!["subset"]!;
            var rule = _destinationRules.Single(r => (string?)r["spec"]!["host"] == target);
            var labels = rule["spec"]!["subsets"]!.AsArray().Single(s => (string?)s!["name"] == subset)!["labels"]!.AsObject()
                .ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal);
            return (target, subset, labels);
        }

        return null;
    }

    private static bool Matches(JsonNode? match, IReadOnlyList<(string Key, string Value)> headers)
    {
        if (match is null)
        {
            return true;
        }

        foreach (var condition in match.AsArray())
        {
            var holds = true;
            foreach (var (name, rule) in condition!["headers"]?.AsObject() ?? [])
            {
                var exact = (string?)rule!["exact"] ?? throw new NotSupportedException("only exact header matches are emulated");
                holds &= headers.Any(h => h.Key == name && h.Value == exact);
            }

            Assert.Equal(["headers"], condition.AsObject().Select(p => p.Key));
            if (holds)
            {
                return true;
            }
        }

        return false;
    }
}
