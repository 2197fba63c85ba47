using System.Buffers;
using System.Text.Json;

namespace Canary.Contracts.Rollouts;

/// <summary>
/// Reads and writes the JSON form of a rollout table: the sidecar's start-up file, its local cache, and the desired
/// table the analyzer stores in PostgreSQL. Reading walks a <see cref="JsonDocument"/> by hand (no reflection, so it is
/// AOT-safe) and collects every error (unknown keys, wrong types, invalid values) instead of stopping at the first.
/// </summary>
public static class RolloutTableJson
{
    private static readonly HashSet<string> TableKeys = new(StringComparer.Ordinal) { "generation", "rollouts" };

    private static readonly HashSet<string> RolloutKeys = new(StringComparer.Ordinal)
    {
        "routeKey", "stableSubset", "canarySubset", "canaryWeightBasisPoints", "salt", "state",
        "forcedCanaryUsers", "optInHeader", "excludedUsers", "excludedTenants", "stableModel", "canaryModel",
        "qualitySampleBasisPoints",
    };

    /// <summary>Parses and validates; on any error the table is null and every error is listed.</summary>
    public static RolloutTable? Parse(ReadOnlySpan<byte> utf8Json, out IReadOnlyList<string> errors)
    {
        var found = new List<string>();
        JsonDocument document;
        try
        {
            var bytes = utf8Json.ToArray();
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            errors = [$"not valid JSON: {e.Message}"];
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors = ["the rollout table must be a JSON object with \"generation\" and \"rollouts\""];
                return null;
            }

            ReportUnknownKeys(root, TableKeys, "", found);
            long generation = 0;
            if (root.TryGetProperty("generation", out var generationElement) && !generationElement.TryGetInt64(out generation))
            {
                found.Add("generation: must be an integer");
            }

            var rollouts = new List<RolloutDefinition>();
            if (!root.TryGetProperty("rollouts", out var rolloutsElement))
            {
                found.Add("rollouts: missing (use [] for an empty table)");
            }
            else if (rolloutsElement.ValueKind != JsonValueKind.Array)
            {
                found.Add("rollouts: must be an array");
            }
            else
            {
                var index = 0;
                foreach (var element in rolloutsElement.EnumerateArray())
                {
                    var rollout = ReadRollout(element, $"rollouts[{index}]", found);
                    if (rollout is not null)
                    {
                        rollouts.Add(rollout);
                    }

                    index++;
                }
            }

            var table = new RolloutTable { Generation = generation, Rollouts = rollouts };
            if (found.Count == 0)
            {
                found.AddRange(RolloutTableValidator.Validate(table));
            }

            errors = found;
            return found.Count == 0 ? table : null;
        }
    }

    public static RolloutTable? Parse(string json, out IReadOnlyList<string> errors) =>
        Parse(System.Text.Encoding.UTF8.GetBytes(json), out errors);

    /// <summary>Writes the canonical JSON form (stable key order), readable by <see cref="Parse(ReadOnlySpan{byte}, out IReadOnlyList{string})"/>.</summary>
    public static byte[] Write(RolloutTable table, bool indented = false)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("generation", table.Generation);
            writer.WriteStartArray("rollouts");
            foreach (var rollout in table.Rollouts)
            {
                writer.WriteStartObject();
                writer.WriteString("routeKey", rollout.RouteKey);
                writer.WriteString("stableSubset", rollout.StableSubset);
                writer.WriteString("canarySubset", rollout.CanarySubset);
                writer.WriteNumber("canaryWeightBasisPoints", rollout.CanaryWeightBasisPoints);
                writer.WriteString("salt", rollout.Salt);
                writer.WriteString("state", StateName(rollout.State));
                WriteList(writer, "forcedCanaryUsers", rollout.ForcedCanaryUsers);
                if (rollout.OptInHeader is not null)
                {
                    writer.WriteString("optInHeader", rollout.OptInHeader);
                }

                WriteList(writer, "excludedUsers", rollout.ExcludedUsers);
                WriteList(writer, "excludedTenants", rollout.ExcludedTenants);
                if (rollout.StableModel is not null)
                {
                    writer.WriteString("stableModel", rollout.StableModel);
                }

                if (rollout.CanaryModel is not null)
                {
                    writer.WriteString("canaryModel", rollout.CanaryModel);
                }

                if (rollout.QualitySampleBasisPoints != 0)
                {
                    writer.WriteNumber("qualitySampleBasisPoints", rollout.QualitySampleBasisPoints);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string StateName(RolloutState state) => state switch
    {
        RolloutState.Active => "active",
        RolloutState.Paused => "paused",
        RolloutState.RolledBack => "rolledBack",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static bool TryParseState(string? name, out RolloutState state)
    {
        switch (name)
        {
            case "active":
                state = RolloutState.Active;
                return true;
            case "paused":
                state = RolloutState.Paused;
                return true;
            case "rolledBack":
                state = RolloutState.RolledBack;
                return true;
            default:
                state = default;
                return false;
        }
    }

    private static RolloutDefinition? ReadRollout(JsonElement element, string at, List<string> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{at}: must be an object");
            return null;
        }

        var before = errors.Count;
        ReportUnknownKeys(element, RolloutKeys, at + ".", errors);
        var routeKey = ReadString(element, "routeKey", at, errors, required: true);
        var stable = ReadString(element, "stableSubset", at, errors, required: true);
        var canary = ReadString(element, "canarySubset", at, errors, required: true);
        var salt = ReadString(element, "salt", at, errors, required: true);
        var optIn = ReadString(element, "optInHeader", at, errors, required: false);
        var stableModel = ReadString(element, "stableModel", at, errors, required: false);
        var canaryModel = ReadString(element, "canaryModel", at, errors, required: false);
        var weight = 0;
        if (!element.TryGetProperty("canaryWeightBasisPoints", out var weightElement))
        {
            errors.Add($"{at}.canaryWeightBasisPoints: missing");
        }
        else if (weightElement.ValueKind != JsonValueKind.Number || !weightElement.TryGetInt32(out weight))
        {
            errors.Add($"{at}.canaryWeightBasisPoints: must be an integer between 0 and 10000");
        }

        var sampleBasisPoints = 0;
        if (element.TryGetProperty("qualitySampleBasisPoints", out var sampleElement)
            && (sampleElement.ValueKind != JsonValueKind.Number || !sampleElement.TryGetInt32(out sampleBasisPoints)))
        {
            errors.Add($"{at}.qualitySampleBasisPoints: must be an integer between 0 and 10000");
        }

        var state = RolloutState.Active;
        var stateName = ReadString(element, "state", at, errors, required: false);
        if (stateName is not null && !TryParseState(stateName, out state))
        {
            errors.Add($"{at}.state: must be \"active\", \"paused\" or \"rolledBack\", was \"{stateName}\"");
        }

        var forced = ReadStringList(element, "forcedCanaryUsers", at, errors);
        var excludedUsers = ReadStringList(element, "excludedUsers", at, errors);
        var excludedTenants = ReadStringList(element, "excludedTenants", at, errors);
        if (errors.Count != before)
        {
            return null;
        }

        return new RolloutDefinition
        {
            RouteKey = routeKey!,
            StableSubset = stable!,
            CanarySubset = canary!,
            CanaryWeightBasisPoints = weight,
            Salt = salt!,
            State = state,
            OptInHeader = optIn,
            ForcedCanaryUsers = forced,
            ExcludedUsers = excludedUsers,
            ExcludedTenants = excludedTenants,
            StableModel = stableModel,
            CanaryModel = canaryModel,
            QualitySampleBasisPoints = sampleBasisPoints,
        };
    }

    private static string? ReadString(JsonElement element, string name, string at, List<string> errors, bool required)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                errors.Add($"{at}.{name}: missing");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{at}.{name}: must be a string");
            return null;
        }

        return value.GetString();
    }

    private static List<string> ReadStringList(JsonElement element, string name, string at, List<string> errors)
    {
        var list = new List<string>();
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return list;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add($"{at}.{name}: must be an array of strings");
            return list;
        }

        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                errors.Add($"{at}.{name}[{i}]: must be a string");
            }
            else
            {
                list.Add(item.GetString()!);
            }

            i++;
        }

        return list;
    }

    private static void ReportUnknownKeys(JsonElement element, HashSet<string> known, string prefix, List<string> errors)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                errors.Add($"{prefix}{property.Name}: unknown key");
            }
        }
    }

    private static void WriteList(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
