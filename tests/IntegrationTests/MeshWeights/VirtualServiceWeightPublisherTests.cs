using System.Text.Json.Nodes;
using Canary.Analyzer.Kubernetes;
using Canary.Analyzer.MeshWeights;
using Canary.IntegrationTests.Kubernetes;
using Canary.IntegrationTests.StandIns;

namespace Canary.IntegrationTests.MeshWeights;

public sealed class VirtualServiceWeightPublisherTests
{
    private const string Path = "/apis/networking.istio.io/v1/namespaces/models/virtualservices/inference";

    private static VirtualServiceWeightPublisher Publisher(HttpStandIn api) =>
        new(KubernetesClientFactory.Create(new KubernetesConnectionOptions { Host = api.Uri, Timeout = TimeSpan.FromSeconds(5) }),
            new MeshWeightOptions { Namespace = "models", VirtualService = "inference" });

    private static StandInResponse ServeVirtualService(StandInRequest request, int stable, int canary, string resourceVersion = "1001") =>
        request.PathAndQuery == Path
            ? StandInResponse.Json(KubernetesResponses.VirtualService("models", "inference", stable, canary, resourceVersion))
            : new StandInResponse(404, KubernetesResponses.Status(404, "NotFound", "not found"));

    [Fact]
    public async Task SetCanaryWeightAsync_TwentyFive_SendsMergePatchWithWholeHttpListAndResourceVersion()
    {
        await using var api = new HttpStandIn(r => ServeVirtualService(r, 90, 10));

        await Publisher(api).SetCanaryWeightAsync(25, CancellationToken.None);

        var patch = Assert.Single(api.Requests, r => r.Method == "PATCH");
        Assert.Equal(Path, patch.PathAndQuery);
        Assert.StartsWith("application/merge-patch+json", patch.ContentType, StringComparison.Ordinal);
        var body = JsonNode.Parse(patch.Body)!;
        Assert.Equal("1001", body["metadata"]!["resourceVersion"]!.GetValue<string>());
        var http = body["spec"]!["http"]!.AsArray();
        Assert.Equal(2, http.Count);
        Assert.Equal("/health", http[0]!["match"]![0]!["uri"]!["prefix"]!.GetValue<string>());
        Assert.Null(http[0]!["route"]![0]!["weight"]);
        var route = http[1]!["route"]!.AsArray();
        Assert.Equal("300s", http[1]!["timeout"]!.GetValue<string>());
        Assert.Equal("stable", route[0]!["destination"]!["subset"]!.GetValue<string>());
        Assert.Equal(75, route[0]!["weight"]!.GetValue<int>());
        Assert.Equal(25, route[1]!["weight"]!.GetValue<int>());
        Assert.Null(body["spec"]!["hosts"]);
    }

    [Fact]
    public async Task RollbackAsync_SetsCanaryToZeroAndStableToHundred()
    {
        await using var api = new HttpStandIn(r => ServeVirtualService(r, 50, 50));

        await Publisher(api).RollbackAsync(CancellationToken.None);

        var patch = Assert.Single(api.Requests, r => r.Method == "PATCH");
        var route = JsonNode.Parse(patch.Body)!["spec"]!["http"]![1]!["route"]!.AsArray();
        Assert.Equal(100, route[0]!["weight"]!.GetValue<int>());
        Assert.Equal(0, route[1]!["weight"]!.GetValue<int>());
    }

    [Fact]
    public async Task SetCanaryWeightAsync_ConflictOnce_RereadsAndPatchesWithNewResourceVersion()
    {
        var patches = 0;
        await using var api = new HttpStandIn(r =>
        {
            if (r.Method == "PATCH" && Interlocked.Increment(ref patches) == 1)
            {
                return new StandInResponse(409, KubernetesResponses.Status(409, "Conflict", "the object has been modified"));
            }

            return ServeVirtualService(r, 90, 10, patches == 0 ? "1001" : "1002");
        });

        await Publisher(api).SetCanaryWeightAsync(10, CancellationToken.None);

        var sent = api.Requests.Where(r => r.Method == "PATCH").Select(r => JsonNode.Parse(r.Body)!["metadata"]!["resourceVersion"]!.GetValue<string>()).ToArray();
        Assert.Equal(["1001", "1002"], sent);
    }

    [Fact]
    public async Task SetCanaryWeightAsync_PatchForbidden_ThrowsForbidden()
    {
        await using var api = new HttpStandIn(r => r.Method == "PATCH"
            ? new StandInResponse(403, KubernetesResponses.Status(403, "Forbidden", "virtualservices.networking.istio.io is forbidden"))
            : ServeVirtualService(r, 90, 10));

        var ex = await Assert.ThrowsAsync<KubernetesApiException>(() => Publisher(api).SetCanaryWeightAsync(25, CancellationToken.None));

        Assert.Equal(KubernetesApiFailure.Forbidden, ex.Failure);
        Assert.Contains("patching VirtualService models/inference", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetCanaryWeightAsync_MissingVirtualService_ThrowsNotFoundWithoutPatching()
    {
        await using var api = new HttpStandIn(_ => new StandInResponse(404, KubernetesResponses.Status(404, "NotFound", "virtualservices \\\"inference\\\" not found")));

        var ex = await Assert.ThrowsAsync<KubernetesApiException>(() => Publisher(api).SetCanaryWeightAsync(25, CancellationToken.None));

        Assert.Equal(KubernetesApiFailure.NotFound, ex.Failure);
        Assert.DoesNotContain(api.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task SetCanaryWeightAsync_GarbageBody_ThrowsInvalidResponseWithoutPatching()
    {
        await using var api = new HttpStandIn(r => StandInResponse.Json("<html>oops</html>"));

        var ex = await Assert.ThrowsAsync<KubernetesApiException>(() => Publisher(api).SetCanaryWeightAsync(25, CancellationToken.None));

        Assert.Equal(KubernetesApiFailure.InvalidResponse, ex.Failure);
        Assert.DoesNotContain(api.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task SetCanaryWeightAsync_RouteWithoutCanarySubset_ThrowsMeshWeightException()
    {
        await using var api = new HttpStandIn(r => StandInResponse.Json(
            KubernetesResponses.VirtualService("models", "inference", 100, 0).Replace("\"canary\"", "\"blue\"", StringComparison.Ordinal)));

        var ex = await Assert.ThrowsAsync<MeshWeightException>(() => Publisher(api).SetCanaryWeightAsync(25, CancellationToken.None));

        Assert.Contains("no HTTP route with both subsets 'stable' and 'canary'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Requests, r => r.Method == "PATCH");
    }
}
