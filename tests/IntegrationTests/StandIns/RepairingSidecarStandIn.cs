using System.Globalization;
using System.Net;
using Canary.Contracts.Rollouts;
using Canary.Contracts.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Canary.IntegrationTests.StandIns;

/// <summary>
/// A sidecar's control API that holds a table from its file and, on the first push it refuses as not newer, lets
/// another writer repair the clash first: it writes the pushed table under a higher generation to PostgreSQL, as a
/// concurrent <c>serve</c> run answering the same refusal does, and only then answers the refusal. That puts the
/// other writer's table in place between a run's refusal and its own renumbering, every time.
/// </summary>
internal sealed class RepairingSidecarStandIn : RolloutControl.RolloutControlBase, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly long _repairGeneration;
    private readonly Lock _lock = new();
    private WebApplication? _app;
    private Canary.Contracts.V1.RolloutTable _table;
    private bool _repaired;

    private RepairingSidecarStandIn(NpgsqlDataSource dataSource, long fileGeneration, long repairGeneration)
    {
        _dataSource = dataSource;
        _repairGeneration = repairGeneration;
        _table = new Canary.Contracts.V1.RolloutTable { Generation = fileGeneration };
    }

    public string Endpoint { get; private set; } = "";

    /// <summary>The generation of the table in force.</summary>
    public long AppliedGeneration
    {
        get
        {
            lock (_lock)
            {
                return _table.Generation;
            }
        }
    }

    /// <param name="dataSource">Where the other writer writes its repair.</param>
    /// <param name="fileGeneration">The generation of the table it starts with, from its file.</param>
    /// <param name="repairGeneration">The generation the other writer gives the pushed table.</param>
    public static async Task<RepairingSidecarStandIn> StartAsync(NpgsqlDataSource dataSource, long fileGeneration, long repairGeneration)
    {
        var standIn = new RepairingSidecarStandIn(dataSource, fileGeneration, repairGeneration);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(standIn);
        var app = builder.Build();
        app.MapGrpcService<RepairingSidecarStandIn>();
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        standIn._app = app;
        standIn.Endpoint = $"repairing-sidecar=127.0.0.1:{address.Port}";
        return standIn;
    }

    public override Task<GetTableResponse> GetTable(GetTableRequest request, ServerCallContext context)
    {
        lock (_lock)
        {
            return Task.FromResult(new GetTableResponse
            {
                SidecarId = "repairing-sidecar",
                Table = _table.Clone(),
                AppliedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch),
                Source = TableSource.File,
            });
        }
    }

    public override async Task<ApplyTableAck> ApplyTable(ApplyTableRequest request, ServerCallContext context)
    {
        long applied;
        bool repair;
        lock (_lock)
        {
            applied = _table.Generation;
            if (request.Table.Generation > applied)
            {
                _table = request.Table.Clone();
                return new ApplyTableAck { SidecarId = "repairing-sidecar", AppliedGeneration = _table.Generation, AppliedAt = Timestamp.FromDateTime(DateTime.UtcNow) };
            }

            repair = !_repaired;
            _repaired = true;
        }

        if (repair)
        {
            var pushed = RolloutTableMessages.FromMessage(request.Table, out var errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
            Assert.True(await DesiredTableStore.TryWriteAsync(_dataSource, pushed with { Generation = _repairGeneration }), "the other writer's repair was written");
        }

        var trailers = new Metadata
        {
            { PushRefusalTrailers.AppliedGeneration, applied.ToString(CultureInfo.InvariantCulture) },
            { PushRefusalTrailers.AppliedSource, "file" },
        };
        throw new RpcException(new Status(StatusCode.FailedPrecondition, $"generation {request.Table.Generation} is not newer than the applied generation {applied} (from file)"), trailers);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
