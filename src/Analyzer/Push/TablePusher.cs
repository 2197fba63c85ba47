using System.Diagnostics;
using System.Globalization;
using Canary.Analyzer.Discovery;
using Canary.Contracts.Rollouts;
using ApplyTableRequest = Canary.Contracts.V1.ApplyTableRequest;
using RolloutControl = Canary.Contracts.V1.RolloutControl;
using Grpc.Core;
using Grpc.Net.Client;

namespace Canary.Analyzer.Push;

/// <summary>
/// Pushes a rollout table to every sidecar's control API in parallel, with the bearer token, a per-attempt timeout and
/// a few retries. A sidecar acknowledges a table it applied and the very table it already has (it converged through
/// PostgreSQL first); a sidecar that keeps another table at this generation or a newer one refuses, and the refusal is
/// reported with the generation and source it holds (<see cref="PushResult.RefusedBySource"/>), so the caller can
/// renumber. A refused token or an unreachable sidecar is reported, never fatal: sidecars also poll the desired table,
/// so the next run or their own poll finishes the job.
/// </summary>
internal sealed class TablePusher
{
    private readonly string? _token;
    private readonly TimeSpan _attemptTimeout;
    private readonly int _attempts;

    public TablePusher(string? token, TimeSpan attemptTimeout, int attempts = 3)
    {
        _token = token;
        _attemptTimeout = attemptTimeout;
        _attempts = attempts;
    }

    public async Task<PushSummary> PushAsync(RolloutTable table, IReadOnlyList<SidecarEndpoint> sidecars, long decisionTimestamp, CancellationToken cancellationToken)
    {
        var message = new ApplyTableRequest { Table = RolloutTableMessages.ToMessage(table) };
        var tasks = new Task<PushResult>[sidecars.Count];
        for (var i = 0; i < sidecars.Count; i++)
        {
            tasks[i] = PushOneAsync(sidecars[i], message, decisionTimestamp, cancellationToken);
        }

        var results = await Task.WhenAll(tasks).ConfigureAwait(false);
        var last = TimeSpan.Zero;
        foreach (var result in results)
        {
            if (result.Acknowledged && result.Latency > last)
            {
                last = result.Latency;
            }
        }

        return new PushSummary(table.Generation, results, last);
    }

    private async Task<PushResult> PushOneAsync(SidecarEndpoint sidecar, ApplyTableRequest request, long decisionTimestamp, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(sidecar.ControlUri);
        var client = new RolloutControl.RolloutControlClient(channel);
        var headers = new Metadata();
        if (_token is not null)
        {
            headers.Add("authorization", "Bearer " + _token);
        }

        string? error = null;
        for (var attempt = 1; attempt <= _attempts; attempt++)
        {
            try
            {
                var ack = await client.ApplyTableAsync(request, headers, DateTime.UtcNow + _attemptTimeout, cancellationToken).ConfigureAwait(false);
                return new PushResult(sidecar, true, ack.AppliedGeneration, null, Stopwatch.GetElapsedTime(decisionTimestamp));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                // Another table at this generation or a newer one (a file, a cache, a tripwire's rollback): not an
                // acknowledgement, whatever the number says. Retrying the same generation cannot change the answer.
                var held = e.Trailers.GetValue(PushRefusalTrailers.AppliedGeneration) is { } text
                    && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : (long?)null;
                var source = e.Trailers.GetValue(PushRefusalTrailers.AppliedSource) ?? "unknown";
                return new PushResult(sidecar, false, held, $"{e.StatusCode}: {e.Status.Detail}", Stopwatch.GetElapsedTime(decisionTimestamp))
                {
                    RefusedBySource = source,
                };
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.InvalidArgument)
            {
                // Retrying cannot fix a refused token or a table the sidecar rejects.
                return new PushResult(sidecar, false, null, $"{e.StatusCode}: {e.Status.Detail}", Stopwatch.GetElapsedTime(decisionTimestamp));
            }
            catch (RpcException e)
            {
                error = $"{e.StatusCode}: {e.Status.Detail}";
            }

            if (attempt < _attempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }

        return new PushResult(sidecar, false, null, error, Stopwatch.GetElapsedTime(decisionTimestamp));
    }
}
