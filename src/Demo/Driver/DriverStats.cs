namespace Canary.Demo.Driver;

/// <summary>What the traffic driver did so far; counters only grow (the live view takes differences).</summary>
internal sealed class DriverStats
{
    public long Started;
    public long Completed;
    public long RoutedCanary;
    public long RoutedStable;

    /// <summary>ext_proc streams that failed; Envoy's failure_mode_allow sends such requests to the stable route.</summary>
    public long SidecarFailures;

    /// <summary>Requests not started because too many were in flight (the machine is too slow for the rate).</summary>
    public long Shed;

    public long InFlight;
}
