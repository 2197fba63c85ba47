using System.Net;

namespace Canary.Analyzer.UnitTests.Alerts;

/// <summary>An in-memory HTTP handler that answers with a fixed sequence of statuses and records when each call came.</summary>
internal sealed class ScriptedHandler(TimeProvider time, params HttpStatusCode[] statuses) : HttpMessageHandler
{
    private int _calls;

    public List<DateTimeOffset> CallTimes { get; } = [];

    public int Calls => Volatile.Read(ref _calls);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (CallTimes)
        {
            CallTimes.Add(time.GetUtcNow());
        }

        var index = Interlocked.Increment(ref _calls) - 1;
        return Task.FromResult(new HttpResponseMessage(statuses[Math.Min(index, statuses.Length - 1)]));
    }
}
