namespace Canary.Contracts.Telemetry;

/// <summary>Thrown when histograms of different layouts are merged: their slots mean different value ranges.</summary>
public sealed class HistogramLayoutMismatchException : InvalidOperationException
{
    public HistogramLayoutMismatchException(HistogramLayout expected, long highestTrackableValue, int significantDigits)
        : base($"Cannot merge a histogram with layout [0, {highestTrackableValue}] at {significantDigits} significant digits "
            + $"into one with layout {expected}: merging needs identical layouts (was the metric's layout changed between versions?).")
    {
    }

    public HistogramLayoutMismatchException()
    {
    }

    public HistogramLayoutMismatchException(string message)
        : base(message)
    {
    }

    public HistogramLayoutMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
