namespace Canary.Analyzer.Reports;

/// <summary>"Nice" axis ticks (steps of 1, 2 or 5 times a power of ten) covering a range.</summary>
internal static class AxisTicks
{
    public static (double Max, double Step) Nice(double max, int targetTicks = 5)
    {
        if (!(max > 0) || double.IsInfinity(max))
        {
            return (1, 0.2);
        }

        var raw = max / targetTicks;
        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = (raw / power) switch
        {
            <= 1 => power,
            <= 2 => 2 * power,
            <= 5 => 5 * power,
            _ => 10 * power,
        };
        return (Math.Ceiling(max / step) * step, step);
    }
}
