using Canary.Contracts.V1;
using Canary.Sidecar.Telemetry.Recording;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Canary.Sidecar.FunctionalTests;

/// <summary>The canary.v1 control API over real sockets: authentication, generations, convergence and routing effect.</summary>
public sealed class ControlApiTests
{
    private const string Token = "functional-test-token";
    private const string Chat = "chat.example.internal";

    private static Grpc.Core.Metadata Bearer(string token) => new() { { "authorization", $"Bearer {token}" } };

    private static Canary.Contracts.V1.RolloutTable Table(long generation, int weight) => new()
    {
        Generation = generation,
        Rollouts =
        {
            new Rollout { RouteKey = Chat, StableSubset = "stable", CanarySubset = "canary", CanaryWeightBasisPoints = weight, Salt = "functional", State = RolloutState.Active },
        },
    };

    private static async Task<SidecarHost> StartAsync(params string[] extraArgs)
    {
        var host = new SidecarHost(extraArgs);
        await host.InitializeAsync();
        return host;
    }

    private static async Task<SidecarHost> StartWithTokenFileAsync(params string[] extraArgs)
    {
        var tokenFile = Path.Combine(Path.GetTempPath(), $"canary-token-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(tokenFile, Token + "\n");
        try
        {
            return await StartAsync([$"--Canary:Control:TokenFile={tokenFile}", .. extraArgs]);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    private static async Task<string> SubsetForAsync(SidecarHost host, string user, string routeKey = Chat)
    {
        var client = new ExternalProcessor.ExternalProcessorClient(host.Channel);
        using var call = client.Process();
        var map = new HeaderMap();
        map.Headers.Add(new HeaderValue { Key = ":authority", RawValue = ByteString.CopyFromUtf8(routeKey) });
        map.Headers.Add(new HeaderValue { Key = "x-user-id", RawValue = ByteString.CopyFromUtf8(user) });
        await call.RequestStream.WriteAsync(new ProcessingRequest { RequestHeaders = new HttpHeaders { Headers = map, EndOfStream = true } });
        Assert.True(await call.ResponseStream.MoveNext());
        await call.RequestStream.CompleteAsync();
        return call.ResponseStream.Current.RequestHeaders.Response.HeaderMutation.SetHeaders[0].Header.RawValue.ToStringUtf8();
    }

    [Fact]
    public async Task ApplyTable_NoOrWrongToken_UnauthenticatedAndNothingChanges()
    {
        await using var host = await StartWithTokenFileAsync();
        using var channel = host.CreateControlChannel();
        var client = new RolloutControl.RolloutControlClient(channel);

        var none = await Assert.ThrowsAsync<RpcException>(async () => await client.ApplyTableAsync(new ApplyTableRequest { Table = Table(100, 10_000) }));
        var wrong = await Assert.ThrowsAsync<RpcException>(async () => await client.ApplyTableAsync(new ApplyTableRequest { Table = Table(100, 10_000) }, Bearer("not-the-token")));
        var read = await Assert.ThrowsAsync<RpcException>(async () => await client.GetTableAsync(new GetTableRequest()));

        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, read.StatusCode);
        var table = await client.GetTableAsync(new GetTableRequest(), Bearer(Token));
        Assert.Equal(7, table.Table.Generation);
        Assert.Equal(Canary.Contracts.V1.TableSource.File, table.Source);
        Assert.Contains("canary_control_pushes_total{result=\"unauthenticated\"} 2", await host.GetMetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyTable_NoTokenConfigured_RefusedUnlessExplicitlyAllowed()
    {
        await using (var host = await StartAsync())
        {
            using var channel = host.CreateControlChannel();
            var client = new RolloutControl.RolloutControlClient(channel);
            var error = await Assert.ThrowsAsync<RpcException>(async () => await client.ApplyTableAsync(new ApplyTableRequest { Table = Table(100, 0) }, Bearer("anything")));
            Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
            Assert.Contains("no control token configured", error.Status.Detail, StringComparison.Ordinal);
        }

        await using (var host = await StartAsync("--Canary:Control:AllowUnauthenticated=true"))
        {
            using var channel = host.CreateControlChannel();
            var client = new RolloutControl.RolloutControlClient(channel);
            var ack = await client.ApplyTableAsync(new ApplyTableRequest { Table = Table(100, 0) });
            Assert.Equal(100, ack.AppliedGeneration);
        }
    }

    [Fact]
    public async Task ApplyTable_StaleOrEqualGeneration_FailedPreconditionWithCurrentGeneration()
    {
        await using var host = await StartWithTokenFileAsync();
        using var channel = host.CreateControlChannel();
        var client = new RolloutControl.RolloutControlClient(channel);
        var ack = await client.ApplyTableAsync(new ApplyTableRequest { Table = Table(20, 100) }, Bearer(Token));
        Assert.Equal(20, ack.AppliedGeneration);
        Assert.False(string.IsNullOrEmpty(ack.SidecarId));

        foreach (var generation in new long[] { 20, 19, 3 })
        {
            var error = await Assert.ThrowsAsync<RpcException>(async () => await client.ApplyTableAsync(new ApplyTableRequest { Table = Table(generation, 10_000) }, Bearer(Token)));
            Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
            Assert.Contains("applied generation 20", error.Status.Detail, StringComparison.Ordinal);
            Assert.Equal("20", error.Trailers.GetValue("canary-applied-generation"));
            Assert.Equal("push", error.Trailers.GetValue("canary-applied-source"));
        }

        // The very table in force, pushed again (a retry, or a sidecar that converged through PostgreSQL): acknowledged.
        var again = await client.ApplyTableAsync(new ApplyTableRequest { Table = Table(20, 100) }, Bearer(Token));
        Assert.Equal(20, again.AppliedGeneration);

        var table = await client.GetTableAsync(new GetTableRequest(), Bearer(Token));
        Assert.Equal(20, table.Table.Generation);
        Assert.Equal(100, table.Table.Rollouts[0].CanaryWeightBasisPoints);
        Assert.Equal(Canary.Contracts.V1.TableSource.Push, table.Source);
    }

    [Fact]
    public async Task ApplyTable_InvalidTable_EveryErrorAtOnce()
    {
        await using var host = await StartWithTokenFileAsync();
        using var channel = host.CreateControlChannel();
        var client = new RolloutControl.RolloutControlClient(channel);
        var table = Table(30, 20_000);
        table.Rollouts.Add(new Rollout { RouteKey = Chat, StableSubset = "a", CanarySubset = "a", Salt = "", State = RolloutState.Unspecified });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.ApplyTableAsync(new ApplyTableRequest { Table = table }, Bearer(Token)));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("5 error(s)", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("rollouts[0].canaryWeightBasisPoints", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("rollouts[1].state", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("rollouts[1].routeKey", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("rollouts[1].canarySubset", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("rollouts[1].salt", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(7, (await client.GetTableAsync(new GetTableRequest(), Bearer(Token))).Table.Generation);
    }

    [Fact]
    public async Task ApplyTable_ConcurrentPushesFromTwoClients_ConvergeOnHighestGeneration()
    {
        await using var host = await StartWithTokenFileAsync();
        using var first = host.CreateControlChannel();
        using var second = host.CreateControlChannel();

        async Task<List<long>> PushAllAsync(GrpcChannel channel, int parity)
        {
            var client = new RolloutControl.RolloutControlClient(channel);
            var applied = new List<long>();
            for (var generation = 100 + parity; generation <= 300; generation += 2)
            {
                try
                {
                    var ack = await client.ApplyTableAsync(new ApplyTableRequest { Table = Table(generation, (int)generation) }, Bearer(Token));
                    Assert.Equal(generation, ack.AppliedGeneration);
                    applied.Add(generation);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
                {
                    // The other client got a higher generation in first: refused, and nothing changed.
                }
            }

            return applied;
        }

        var results = await Task.WhenAll(Task.Run(() => PushAllAsync(first, 0)), Task.Run(() => PushAllAsync(second, 1)));

        var table = await new RolloutControl.RolloutControlClient(first).GetTableAsync(new GetTableRequest(), Bearer(Token));
        Assert.Equal(300, table.Table.Generation);
        Assert.Equal(300, table.Table.Rollouts[0].CanaryWeightBasisPoints);
        Assert.Contains(300L, results[0]);
        Assert.Contains("canary_rollout_table_generation 300", await host.GetMetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyTable_ThenExtProc_DecisionsFollowTheNewTable()
    {
        await using var host = await StartWithTokenFileAsync();
        using var channel = host.CreateControlChannel();
        var client = new RolloutControl.RolloutControlClient(channel);
        var users = Enumerable.Range(0, 20).Select(i => $"user-{i}").ToArray();

        await client.ApplyTableAsync(new ApplyTableRequest { Table = Table(8, 10_000) }, Bearer(Token));
        foreach (var user in users)
        {
            Assert.Equal("canary", await SubsetForAsync(host, user));
        }

        var rollback = Table(9, 10_000);
        rollback.Rollouts[0].State = RolloutState.RolledBack;
        await client.ApplyTableAsync(new ApplyTableRequest { Table = rollback }, Bearer(Token));
        foreach (var user in users)
        {
            Assert.Equal("stable", await SubsetForAsync(host, user));
        }

        var metrics = await host.GetMetricsAsync();
        Assert.Contains("canary_rollout_table_source{source=\"push\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("canary_rollout_weight_basis_points{rollout=\"chat.example.internal\"} 0", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyTable_TenThousandRollouts_AcknowledgedAndRoutedWithoutIdleTelemetryMemory()
    {
        const int Rollouts = 10_000;
        await using var host = await StartAsync("--Canary:Control:AllowUnauthenticated=true");
        using var channel = host.CreateControlChannel();
        var client = new RolloutControl.RolloutControlClient(channel);
        var table = new Canary.Contracts.V1.RolloutTable { Generation = 40 };
        for (var i = 0; i < Rollouts; i++)
        {
            table.Rollouts.Add(new Rollout
            {
                RouteKey = i == 0 ? Chat : $"model-{i}.example.internal",
                StableSubset = "stable",
                CanarySubset = $"canary-{i}",
                CanaryWeightBasisPoints = i % 2 == 0 ? 10_000 : 0,
                Salt = $"salt-{i}",
                State = RolloutState.Active,
                ForcedCanaryUsers = { "tester" },
            });
        }

        var ack = await client.ApplyTableAsync(new ApplyTableRequest { Table = table });

        Assert.Equal(40, ack.AppliedGeneration);
        var applied = await client.GetTableAsync(new GetTableRequest());
        Assert.Equal(40, applied.Table.Generation);
        Assert.Equal(Rollouts, applied.Table.Rollouts.Count);
        Assert.Equal(Canary.Contracts.V1.TableSource.Push, applied.Source);
        Assert.Equal("canary-0", await SubsetForAsync(host, "user-1"));
        Assert.Equal("canary-5000", await SubsetForAsync(host, "user-1", "model-5000.example.internal"));
        Assert.Equal("stable", await SubsetForAsync(host, "user-1", "model-9999.example.internal"));
        Assert.Equal("canary-9999", await SubsetForAsync(host, "tester", "model-9999.example.internal"));

        // 30 000 arms are configured, but only the four that had a request hold any histogram storage.
        var metrics = await host.GetMetricsAsync();
        Assert.Contains("canary_rollout_table_generation 40", metrics, StringComparison.Ordinal);
        var held = HistogramBytes(metrics);
        Assert.InRange(held, 0, 4 * (RecorderMemory.BytesPerArm + RecorderMemory.StripeBytesPerArm(CoreStripes.Count)));
    }

    private static long HistogramBytes(string metrics)
    {
        const string Name = "canary_telemetry_histogram_bytes ";
        var line = metrics.Split('\n').Single(l => l.StartsWith(Name, StringComparison.Ordinal));
        return long.Parse(line.AsSpan(Name.Length), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task ControlApi_OnExtProcPort_NotServed()
    {
        await using var host = await StartAsync("--Canary:Control:AllowUnauthenticated=true");
        var client = new RolloutControl.RolloutControlClient(host.Channel);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.GetTableAsync(new GetTableRequest()));
        Assert.NotEqual(StatusCode.OK, error.StatusCode);
    }
}
