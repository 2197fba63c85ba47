using System.Text.Json.Nodes;

namespace Canary.Analyzer.MeshWeights;

/// <summary>
/// Builds the JSON merge patch that sets the canary and stable weights of one VirtualService route. A merge patch
/// replaces arrays whole, so the patch carries the complete <c>spec.http</c> list as read, with only the two weights
/// changed, plus the <c>resourceVersion</c> read, so a concurrent edit makes the API server answer 409 instead of
/// being overwritten.
/// </summary>
internal static class VirtualServiceWeightEditor
{
    public static string BuildMergePatch(JsonNode virtualService, MeshWeightOptions options, int canaryPercent)
    {
        ArgumentNullException.ThrowIfNull(virtualService);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(canaryPercent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(canaryPercent, 100);

        var where = $"VirtualService {options.Namespace}/{options.VirtualService}";
        if (virtualService["spec"]?["http"] is not JsonArray http)
        {
            throw new MeshWeightException($"{where} has no spec.http routes.");
        }

        var route = FindRoute(http, options) ?? throw new MeshWeightException(options.RouteName is null
            ? $"{where} has no HTTP route with both subsets '{options.StableSubset}' and '{options.CanarySubset}'."
            : $"{where} has no HTTP route named '{options.RouteName}' with both subsets '{options.StableSubset}' and '{options.CanarySubset}'.");

        foreach (var destination in (JsonArray)route["route"]!)
        {
            var subset = SubsetOf(destination);
            if (subset == options.CanarySubset)
            {
                destination!["weight"] = canaryPercent;
            }
            else if (subset == options.StableSubset)
            {
                destination!["weight"] = 100 - canaryPercent;
            }
            else
            {
                // Any other destination would keep weight and break Istio's sum-to-100 rule.
                throw new MeshWeightException($"{where}: the route also sends traffic to subset '{subset ?? "(none)"}'; only '{options.StableSubset}' and '{options.CanarySubset}' are allowed.");
            }
        }

        var metadata = new JsonObject();
        if (virtualService["metadata"]?["resourceVersion"]?.GetValue<string>() is { } resourceVersion)
        {
            metadata["resourceVersion"] = resourceVersion;
        }

        var patch = new JsonObject
        {
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["http"] = http.DeepClone() },
        };
        return patch.ToJsonString();
    }

    /// <summary>
    /// The canary and stable weights of the route <see cref="BuildMergePatch"/> would edit, as they are; null when the
    /// VirtualService has no such route. A destination without a weight is Istio's 100 when it is alone, else 0.
    /// </summary>
    public static (int Canary, int Stable)? CurrentWeights(JsonNode virtualService, MeshWeightOptions options)
    {
        ArgumentNullException.ThrowIfNull(virtualService);
        ArgumentNullException.ThrowIfNull(options);
        if (virtualService["spec"]?["http"] is not JsonArray http || FindRoute(http, options) is not { } route)
        {
            return null;
        }

        int canary = 0, stable = 0;
        foreach (var destination in (JsonArray)route["route"]!)
        {
            var weight = destination?["weight"] is JsonValue value && value.TryGetValue<int>(out var w) ? w : 0;
            var subset = SubsetOf(destination);
            canary = subset == options.CanarySubset ? weight : canary;
            stable = subset == options.StableSubset ? weight : stable;
        }

        return (canary, stable);
    }

    /// <summary>The VirtualService's <c>spec.hosts</c>: the names a rollout's route key is matched against.</summary>
    public static List<string> Hosts(JsonNode virtualService)
    {
        ArgumentNullException.ThrowIfNull(virtualService);
        var hosts = new List<string>();
        if (virtualService["spec"]?["hosts"] is JsonArray array)
        {
            foreach (var host in array)
            {
                if (host is JsonValue value && value.TryGetValue<string>(out var name))
                {
                    hosts.Add(name);
                }
            }
        }

        return hosts;
    }

    private static JsonNode? FindRoute(JsonArray http, MeshWeightOptions options)
    {
        foreach (var route in http)
        {
            if (options.RouteName is not null && route?["name"]?.GetValue<string>() != options.RouteName)
            {
                continue;
            }

            if (route?["route"] is not JsonArray destinations)
            {
                continue;
            }

            bool stable = false, canary = false;
            foreach (var destination in destinations)
            {
                var subset = SubsetOf(destination);
                stable |= subset == options.StableSubset;
                canary |= subset == options.CanarySubset;
            }

            if (stable && canary)
            {
                return route;
            }
        }

        return null;
    }

    private static string? SubsetOf(JsonNode? destination) =>
        destination?["destination"]?["subset"] is JsonValue value && value.TryGetValue<string>(out var subset) ? subset : null;
}
