using System.Diagnostics;
using System.Globalization;
using Canary.Analyzer.Discovery;
using Canary.Analyzer.Tripwire;
using Canary.Contracts.Rollouts;
using Canary.Contracts.Tripwire;
using ApplyTableRequest = Canary.Contracts.V1.ApplyTableRequest;
using GetTableRequest = Canary.Contracts.V1.GetTableRequest;
using GetTableResponse = Canary.Contracts.V1.GetTableResponse;
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
/// <remarks>
/// Before each push the sidecar's table is read (<c>GetTable</c>, on the same connection): a sidecar whose tripwire
/// rolled back a rollout that the pushed table keeps running would apply the newer table and end the trip, silently.
/// Such a push is withheld (<see cref="PushResult.Withheld"/>) so the caller records the trips and pushes a table that
/// confirms them. A trip that happens between the read and the push (a few milliseconds) is not seen.
/// </remarks>
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
            tasks[i] = PushOneAsync(sidecars[i], table, message, decisionTimestamp, cancellationToken);
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

    /// <summary>Reads every sidecar's table and tripwire trips in parallel (<c>GetTable</c>); a sidecar that fails is reported, not fatal.</summary>
    public async Task<IReadOnlyList<SidecarTableRead>> ReadTablesAsync(IReadOnlyList<SidecarEndpoint> sidecars, CancellationToken cancellationToken)
    {
        var tasks = new Task<SidecarTableRead>[sidecars.Count];
        for (var i = 0; i < sidecars.Count; i++)
        {
            tasks[i] = ReadOneAsync(sidecars[i], cancellationToken);
        }

        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async Task<SidecarTableRead> ReadOneAsync(SidecarEndpoint sidecar, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(sidecar.ControlUri);
        var client = new RolloutControl.RolloutControlClient(channel);
        string? error = null;
        for (var attempt = 1; attempt <= _attempts; attempt++)
        {
            try
            {
                var held = await client.GetTableAsync(new GetTableRequest(), Headers(), DateTime.UtcNow + _attemptTimeout, cancellationToken).ConfigureAwait(false);
                return new SidecarTableRead(sidecar, held.Table?.Generation ?? 0, SourceName(held.Source), ReadTrips(sidecar, held), null);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
            {
                return SidecarTableRead.Failed(sidecar, $"{e.StatusCode}: {e.Status.Detail}");
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

        return SidecarTableRead.Failed(sidecar, error!);
    }

    /// <summary>The trips of a <c>GetTable</c> answer, each with the canary subset and salt its rollout has in the sidecar's table.</summary>
    internal static List<ObservedTrip> ReadTrips(SidecarEndpoint sidecar, GetTableResponse held)
    {
        var trips = new List<ObservedTrip>(held.TripwireTrips.Count);
        foreach (var trip in held.TripwireTrips)
        {
            Canary.Contracts.V1.Rollout? rollout = null;
            foreach (var candidate in held.Table?.Rollouts ?? [])
            {
                rollout = candidate.RouteKey == trip.RouteKey ? candidate : rollout;
            }

            var reported = TripRecordMessages.FromMessage(trip);
            var at = reported.TrippedAt;
            // PostgreSQL keeps microseconds: the recorded trip must compare equal to the next report of it.
            trips.Add(new ObservedTrip(
                reported with { TrippedAt = new DateTimeOffset(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero) },
                sidecar,
                held.SidecarId is { Length: > 0 } id ? id : sidecar.Name)
            {
                CanarySubset = rollout?.CanarySubset,
                Salt = rollout?.Salt,
            });
        }

        return trips;
    }

    private static string Withheld(List<ObservedTrip> conflicts) =>
        "withheld: its tripwire rolled back " + string.Join(", ", conflicts.Select(t => $"{t.RouteKey} (generation {t.Generation})")) + ", which this table would undo";

    private static string SourceName(Canary.Contracts.V1.TableSource source) => source switch
    {
        Canary.Contracts.V1.TableSource.None => "none",
        Canary.Contracts.V1.TableSource.File => "file",
        Canary.Contracts.V1.TableSource.Push => "push",
        Canary.Contracts.V1.TableSource.Database => "database",
        Canary.Contracts.V1.TableSource.Cache => "cache",
        Canary.Contracts.V1.TableSource.Tripwire => PushRefusalTrailers.TripwireSource,
        _ => "unknown",
    };

    private Metadata Headers()
    {
        var headers = new Metadata();
        if (_token is not null)
        {
            headers.Add("authorization", "Bearer " + _token);
        }

        return headers;
    }

    private async Task<PushResult> PushOneAsync(SidecarEndpoint sidecar, RolloutTable table, ApplyTableRequest request, long decisionTimestamp, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(sidecar.ControlUri);
        var client = new RolloutControl.RolloutControlClient(channel);
        var headers = Headers();

        string? error = null;
        for (var attempt = 1; attempt <= _attempts; attempt++)
        {
            try
            {
                var held = await client.GetTableAsync(new GetTableRequest(), headers, DateTime.UtcNow + _attemptTimeout, cancellationToken).ConfigureAwait(false);
                var conflicts = TripConflicts.Find(table, ReadTrips(sidecar, held));
                if (conflicts.Count > 0)
                {
                    return new PushResult(sidecar, false, held.Table?.Generation, Withheld(conflicts), Stopwatch.GetElapsedTime(decisionTimestamp))
                    {
                        Withheld = conflicts,
                    };
                }

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
