namespace Canary.Sidecar.Model;

/// <summary>One arm of an API-model rollout: rewrite requests that ask for <see cref="From"/> (or any model) to <see cref="To"/>.</summary>
/// <remarks>
/// <see cref="From"/> keeps the rewrite to the experiment: on a shared route (one provider host), a request for an
/// unrelated model (an embedding model, say) must not be sent to the canary model.
/// </remarks>
internal sealed class ModelRewriteRule(ModelName? from, ModelName to)
{
    /// <summary>The model the rollout replaces, usually the stable model; null rewrites whatever model is asked for.</summary>
    public ModelName? From { get; } = from;

    public ModelName To { get; } = to ?? throw new ArgumentNullException(nameof(to));

    public override string ToString() => $"{From?.Name ?? "*"} -> {To.Name}";
}
