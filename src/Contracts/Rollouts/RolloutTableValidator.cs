namespace Canary.Contracts.Rollouts;

/// <summary>
/// Checks a rollout table and reports every problem at once, so an operator fixes a bad file in one pass instead of
/// one error per restart.
/// </summary>
public static class RolloutTableValidator
{
    public static IReadOnlyList<string> Validate(RolloutTable table)
    {
        var errors = new List<string>();
        if (table.Generation < 0)
        {
            errors.Add($"generation: must be 0 or more, was {table.Generation}");
        }

        var seenRouteKeys = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < table.Rollouts.Count; i++)
        {
            var rollout = table.Rollouts[i];
            var at = $"rollouts[{i}]";
            if (string.IsNullOrEmpty(rollout.RouteKey))
            {
                errors.Add($"{at}.routeKey: must not be empty");
            }
            else if (seenRouteKeys.TryGetValue(rollout.RouteKey, out var first))
            {
                errors.Add($"{at}.routeKey: \"{rollout.RouteKey}\" is already used by rollouts[{first}]");
            }
            else
            {
                seenRouteKeys.Add(rollout.RouteKey, i);
            }

            CheckSubset(errors, $"{at}.stableSubset", rollout.StableSubset);
            CheckSubset(errors, $"{at}.canarySubset", rollout.CanarySubset);
            if (!string.IsNullOrEmpty(rollout.StableSubset) && rollout.StableSubset == rollout.CanarySubset)
            {
                errors.Add($"{at}.canarySubset: must differ from stableSubset \"{rollout.StableSubset}\"");
            }

            if (rollout.CanaryWeightBasisPoints is < 0 or > RolloutDefinition.MaxWeightBasisPoints)
            {
                errors.Add($"{at}.canaryWeightBasisPoints: must be between 0 and 10000, was {rollout.CanaryWeightBasisPoints}");
            }

            if (rollout.QualitySampleBasisPoints is < 0 or > RolloutDefinition.MaxWeightBasisPoints)
            {
                errors.Add($"{at}.qualitySampleBasisPoints: must be between 0 and 10000, was {rollout.QualitySampleBasisPoints}");
            }

            if (string.IsNullOrEmpty(rollout.Salt))
            {
                errors.Add($"{at}.salt: must not be empty (a fresh salt per rollout draws a fresh cohort)");
            }

            if (rollout.OptInHeader is not null && !HeaderNames.IsValidLowerCaseName(rollout.OptInHeader))
            {
                errors.Add($"{at}.optInHeader: \"{rollout.OptInHeader}\" is not a lower-case HTTP header name");
            }

            if ((rollout.StableModel is null) != (rollout.CanaryModel is null))
            {
                errors.Add($"{at}: stableModel and canaryModel go together (model-rewrite mode needs both)");
            }
            else if (rollout.StableModel is not null)
            {
                if (rollout.StableModel.Length == 0 || rollout.CanaryModel!.Length == 0)
                {
                    errors.Add($"{at}: stableModel and canaryModel must not be empty");
                }
                else if (rollout.StableModel == rollout.CanaryModel)
                {
                    errors.Add($"{at}.canaryModel: must differ from stableModel \"{rollout.StableModel}\"");
                }
            }

            CheckNonEmptyEntries(errors, $"{at}.forcedCanaryUsers", rollout.ForcedCanaryUsers);
            CheckNonEmptyEntries(errors, $"{at}.excludedUsers", rollout.ExcludedUsers);
            CheckNonEmptyEntries(errors, $"{at}.excludedTenants", rollout.ExcludedTenants);
        }

        return errors;
    }

    private static void CheckSubset(List<string> errors, string at, string subset)
    {
        if (string.IsNullOrEmpty(subset))
        {
            errors.Add($"{at}: must not be empty");
        }
        else if (!HeaderNames.IsValidToken(subset))
        {
            // The subset travels as a header value Envoy routes on; token characters keep it exact and unambiguous.
            errors.Add($"{at}: \"{subset}\" may contain only letters, digits and !#$%&'*+-.^_`|~");
        }
    }

    private static void CheckNonEmptyEntries(List<string> errors, string at, IReadOnlyList<string> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.IsNullOrEmpty(values[i]))
            {
                errors.Add($"{at}[{i}]: must not be empty");
            }
        }
    }
}
