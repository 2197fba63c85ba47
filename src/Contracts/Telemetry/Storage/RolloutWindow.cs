namespace Canary.Contracts.Telemetry.Storage;

/// <summary>Both arms of one rollout over the same window [From, To).</summary>
public sealed class RolloutWindow
{
    private readonly Dictionary<string, ArmWindow> _arms = new(StringComparer.Ordinal);

    public RolloutWindow(string rollout, DateTimeOffset from, DateTimeOffset to)
    {
        Rollout = rollout;
        From = from;
        To = to;
    }

    public string Rollout { get; }

    public DateTimeOffset From { get; }

    public DateTimeOffset To { get; }

    /// <summary>Every arm that has rows in the window (or was asked for with <see cref="Arm"/>).</summary>
    public IReadOnlyCollection<ArmWindow> Arms => _arms.Values;

    /// <summary>The arm of a subset; an arm with no rows in the window is empty, not missing.</summary>
    public ArmWindow Arm(string subset)
    {
        if (!_arms.TryGetValue(subset, out var arm))
        {
            arm = new ArmWindow(subset);
            _arms.Add(subset, arm);
        }

        return arm;
    }
}
