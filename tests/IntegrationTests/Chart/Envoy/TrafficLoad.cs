using System.Collections.Concurrent;
using System.Globalization;

namespace Canary.IntegrationTests.Chart.Envoy;

/// <summary>
/// Users calling the model through the Envoy stand-ins, as applications would: a paced stream of streamed chat requests
/// from a fixed population (seeded), spread over the proxies, until stopped. Counts each subset the router chose and
/// remembers, per user, every subset that user was routed to.
/// </summary>
internal sealed class TrafficLoad : IAsyncDisposable
{
    private readonly IReadOnlyList<EnvoyStandIn> _proxies;
    private readonly string _authority;
    private readonly int _port;
    private readonly int _requestsPerSecond;
    private readonly int _users;
    private readonly CancellationTokenSource _stop = new();

    // Requests in flight are let finish when the load stops, as real clients' would: cancelling them all at once would
    // end each sidecar exchange without a response, which the tripwire counts as a canary failure. Only a drain that
    // outlasts a minute abandons them.
    private readonly CancellationTokenSource _abandon = new();
    private readonly Task _loop;
    private readonly Random _random;
    private long _inFlight;

    public TrafficLoad(IReadOnlyList<EnvoyStandIn> proxies, string authority, int port, int requestsPerSecond, int users, int seed)
    {
        _proxies = proxies;
        _authority = authority;
        _port = port;
        _requestsPerSecond = requestsPerSecond;
        _users = users;
        _random = new Random(seed);
        _loop = Task.Run(RunAsync);
    }

    public ConcurrentDictionary<string, long> RoutedBySubset { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> SubsetsByUser { get; } = new(StringComparer.Ordinal);

    public long Failures;

    public static string User(int index) => "user-" + index.ToString("D5", CultureInfo.InvariantCulture);

    private async Task RunAsync()
    {
        // Paces the load (requests are issued on this clock); no verdict waits on it.
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var started = DateTime.UtcNow;
        long issued = 0;
        while (await WaitAsync(timer))
        {
            var due = (long)((DateTime.UtcNow - started).TotalSeconds * _requestsPerSecond);
            for (; issued < due; issued++)
            {
                if (Interlocked.Read(ref _inFlight) >= 200)
                {
                    continue;
                }

                var user = User(_random.Next(_users));
                var proxy = _proxies[(int)(issued % _proxies.Count)];
                Interlocked.Increment(ref _inFlight);
                _ = Task.Run(() => OneAsync(proxy, user));
            }
        }
    }

    private async Task<bool> WaitAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task OneAsync(EnvoyStandIn proxy, string user)
    {
        try
        {
            var response = await proxy.SendAsync(ChatRequest.Headers(_authority, user, clientSubset: null), _port, _abandon.Token);
            var subset = response.RoutedSubset ?? "(default)";
            RoutedBySubset.AddOrUpdate(subset, 1, (_, n) => n + 1);
            SubsetsByUser.GetOrAdd(user, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal))[subset] = 0;
        }
        catch (Exception e) when (e is OperationCanceledException && _abandon.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is HttpRequestException or IOException or Grpc.Core.RpcException or OperationCanceledException)
        {
            Interlocked.Increment(ref Failures);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>Stops issuing requests and waits for the ones in flight to be answered.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _abandon.CancelAfter(TimeSpan.FromMinutes(1));
        await Eventually.UntilAsync(() => Task.FromResult(Interlocked.Read(ref _inFlight)), static n => n == 0, "requests in flight to end");
        _stop.Dispose();
        _abandon.Dispose();
    }
}
