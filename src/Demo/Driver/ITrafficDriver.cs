namespace Canary.Demo.Driver;

/// <summary>What sends the demo's traffic: the ext_proc driver playing Envoy, or the official SDK through the proxy.</summary>
internal interface ITrafficDriver : IAsyncDisposable
{
    DriverStats Stats { get; }

    /// <summary>Sends traffic until <paramref name="cancellationToken"/> is cancelled, then drains what is in flight.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
