using System.Globalization;

namespace Canary.Demo.FakeModels;

/// <summary>
/// How one user's answers differ from the backend's average: multipliers on latency and on the error rate. The traffic
/// driver sends them with each request in two headers (the fake backends' private protocol; the sidecar never sees
/// them, as Envoy's route to the backend is not part of ext_proc).
/// </summary>
internal readonly record struct UserTraits(double LatencyFactor, double ErrorFactor)
{
    public const string LatencyHeader = "x-demo-latency-factor";
    public const string ErrorHeader = "x-demo-error-factor";

    public static UserTraits Average { get; } = new(1, 1);

    /// <summary>The traits a request carries; a missing or unreadable header means the average (1).</summary>
    public static UserTraits Parse(string? latency, string? error) => new(Factor(latency), Factor(error));

    public string LatencyText => LatencyFactor.ToString("0.####", CultureInfo.InvariantCulture);

    public string ErrorText => ErrorFactor.ToString("0.####", CultureInfo.InvariantCulture);

    private static double Factor(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value) ? value : 1;
}
