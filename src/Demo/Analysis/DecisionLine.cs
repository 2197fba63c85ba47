using System.Globalization;

namespace Canary.Demo.Analysis;

/// <summary>
/// One decision as <c>canary-analyzer</c> prints it: <c>{rollout}: {action} ({from}% -> {to}%): {reason}</c>.
/// </summary>
internal sealed record DecisionLine(DateTimeOffset At, string Action, double FromPercent, double ToPercent, string Reason)
{
    public bool IsFinal => Action is "rollback" or "complete";

    public static bool TryParse(string line, string rollout, DateTimeOffset at, out DecisionLine decision)
    {
        ArgumentNullException.ThrowIfNull(line);
        decision = null!;
        var prefix = rollout + ": ";
        if (!line.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = line.AsSpan(prefix.Length);
        var open = rest.IndexOf(" (", StringComparison.Ordinal);
        var close = rest.IndexOf("): ", StringComparison.Ordinal);
        if (open <= 0 || close <= open)
        {
            return false;
        }

        var weights = rest[(open + 2)..close];
        var arrow = weights.IndexOf(" -> ", StringComparison.Ordinal);
        if (arrow < 0
            || !double.TryParse(weights[..arrow].TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var from)
            || !double.TryParse(weights[(arrow + 4)..].TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var to))
        {
            return false;
        }

        decision = new DecisionLine(at, rest[..open].ToString(), from, to, rest[(close + 3)..].ToString());
        return true;
    }
}
