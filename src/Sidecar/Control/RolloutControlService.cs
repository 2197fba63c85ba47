using Canary.Contracts.Rollouts;
using Canary.Contracts.Tripwire;
using Canary.Contracts.V1;
using Canary.Sidecar.Configuration;
using Canary.Sidecar.Model;
using Canary.Sidecar.Tripwire;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Canary.Sidecar.Control;

/// <summary>
/// The <c>canary.v1.RolloutControl</c> service on the control port: the analyzer pushes whole tables and reads the
/// table in force. A cold path, so it uses the generated message types. Every call is authenticated first; a refused
/// call changes nothing.
/// </summary>
internal sealed class RolloutControlService : RolloutControl.RolloutControlBase
{
    private const int MaxListedErrors = 50;

    private readonly RolloutTableHolder _tables;
    private readonly ControlAuthenticator _authenticator;
    private readonly ControlCounters _counters;
    private readonly TripwireMonitor _tripwire;
    private readonly string _sidecarId;
    private readonly ILogger _logger;

    public RolloutControlService(RolloutTableHolder tables, ControlAuthenticator authenticator, ControlCounters counters, TripwireMonitor tripwire, SidecarOptions options, ILogger<RolloutControlService> logger)
    {
        _tables = tables;
        _authenticator = authenticator;
        _counters = counters;
        _tripwire = tripwire;
        _sidecarId = options.SidecarId ?? "";
        _logger = logger;
    }

    public override Task<ApplyTableAck> ApplyTable(ApplyTableRequest request, ServerCallContext context)
    {
        Authenticate(context, nameof(ApplyTable));
        var table = RolloutTableMessages.FromMessage(request.Table, out var errors);
        if (table is null)
        {
            _counters.PushInvalid();
            var listed = errors.Count <= MaxListedErrors ? errors : [.. errors.Take(MaxListedErrors), $"... and {errors.Count - MaxListedErrors} more"];
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"rollout table has {errors.Count} error(s): {string.Join("; ", listed)}"));
        }

        if (!_tables.TryApply(table, out var current, source: Model.TableSource.Push))
        {
            // The very table in force, pushed again (a retry, or the analyzer finishing a push to a sidecar that already
            // converged through PostgreSQL): acknowledged, nothing changes. A tripwire's table is never "the same": it
            // keeps the generation of the table it rolled back, and only a newer one may replace it.
            if (table.Generation == current.Generation && current.Source != Model.TableSource.Tripwire && SameTable(table, current.Table))
            {
                _counters.PushApplied();
                return Task.FromResult(Ack(current));
            }

            _counters.PushStale();
            var trailers = new Metadata
            {
                { PushRefusalTrailers.AppliedGeneration, current.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                { PushRefusalTrailers.AppliedSource, TableSourceNames.Name(current.Source) },
            };
            throw new RpcException(
                new Status(StatusCode.FailedPrecondition, $"generation {table.Generation} is not newer than the applied generation {current.Generation} (from {TableSourceNames.Name(current.Source)})"),
                trailers);
        }

        _counters.PushApplied();
        return Task.FromResult(Ack(current));
    }

    private ApplyTableAck Ack(RolloutTableModel current) => new()
    {
        SidecarId = _sidecarId,
        AppliedGeneration = current.Generation,
        AppliedAt = Timestamp.FromDateTimeOffset(current.AppliedAt),
    };

    /// <summary>Same rollouts in the same order with the same settings: compared in the table's canonical JSON form (a cold path).</summary>
    private static bool SameTable(Canary.Contracts.Rollouts.RolloutTable pushed, Canary.Contracts.Rollouts.RolloutTable current) =>
        RolloutTableJson.Write(pushed).AsSpan().SequenceEqual(RolloutTableJson.Write(current));

    public override Task<GetTableResponse> GetTable(GetTableRequest request, ServerCallContext context)
    {
        Authenticate(context, nameof(GetTable));
        var current = _tables.Current;
        var response = new GetTableResponse
        {
            SidecarId = _sidecarId,
            Table = RolloutTableMessages.ToMessage(current.Table),
            AppliedAt = Timestamp.FromDateTimeOffset(current.AppliedAt),
            Source = ToMessage(current.Source),
            TripwireEnabled = _tripwire.Enabled,
        };
        foreach (var trip in _tripwire.ActiveTrips())
        {
            response.TripwireTrips.Add(TripRecordMessages.ToMessage(trip));
        }

        return Task.FromResult(response);
    }

    private static Contracts.V1.TableSource ToMessage(Model.TableSource source) => source switch
    {
        Model.TableSource.None => Contracts.V1.TableSource.None,
        Model.TableSource.File => Contracts.V1.TableSource.File,
        Model.TableSource.Push => Contracts.V1.TableSource.Push,
        Model.TableSource.Database => Contracts.V1.TableSource.Database,
        Model.TableSource.Cache => Contracts.V1.TableSource.Cache,
        Model.TableSource.Tripwire => Contracts.V1.TableSource.Tripwire,
        _ => Contracts.V1.TableSource.Unspecified,
    };

    private void Authenticate(ServerCallContext context, string method)
    {
        try
        {
            _authenticator.Authenticate(context);
        }
        catch (RpcException e)
        {
            if (method == nameof(ApplyTable))
            {
                _counters.PushUnauthenticated();
            }

            ControlLog.CallRefused(_logger, method, e.Status.Detail);
            throw;
        }
    }
}
