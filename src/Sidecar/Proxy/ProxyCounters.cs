using Canary.Sidecar.Telemetry.Recording;

namespace Canary.Sidecar.Proxy;

/// <summary>Process-wide counters of the proxy: what happened to each request, upstream failures, client cancellations.</summary>
internal sealed class ProxyCounters
{
    // Per core stripe, so concurrent requests do not contend for one cache line.
    private readonly StripedCounters _counters = new(Enum.GetValues<ProxyCounter>().Length);

    public long this[ProxyCounter counter] => _counters.Read((int)counter);

    public void Count(ProxyCounter counter) => _counters.Increment((int)counter);
}
