using Canary.Analyzer.Discovery;
using Canary.Analyzer.Kubernetes;
using Canary.IntegrationTests.Kubernetes;
using Canary.IntegrationTests.StandIns;

namespace Canary.IntegrationTests.Discovery;

public sealed class KubernetesSidecarDiscoveryTests
{
    private static KubernetesSidecarDiscovery Discovery(HttpStandIn api, KubernetesDiscoveryOptions options, TimeSpan? timeout = null) =>
        new(KubernetesClientFactory.Create(new KubernetesConnectionOptions { Host = api.Uri, Timeout = timeout ?? TimeSpan.FromSeconds(10) }), options);

    [Fact]
    public async Task DiscoverAsync_MixedPods_ReturnsRunningReadyPodsWithIpSortedAcrossNamespaces()
    {
        await using var api = new HttpStandIn(request => request.PathAndQuery switch
        {
            var p when p.StartsWith("/api/v1/namespaces/models/pods", StringComparison.Ordinal) => StandInResponse.Json(KubernetesResponses.PodList(
                KubernetesResponses.Pod("models", "inference-b", "Running", "10.1.0.12", ready: true),
                KubernetesResponses.Pod("models", "inference-a", "Running", "10.1.0.11", ready: true, namedControlPort: 6000),
                KubernetesResponses.Pod("models", "inference-pending", "Pending", null, ready: false),
                KubernetesResponses.Pod("models", "inference-notready", "Running", "10.1.0.13", ready: false),
                KubernetesResponses.Pod("models", "inference-deleting", "Running", "10.1.0.14", ready: true, deleting: true),
                KubernetesResponses.Pod("models", "inference-failed", "Failed", "10.1.0.15", ready: false))),
            var p when p.StartsWith("/api/v1/namespaces/gateway/pods", StringComparison.Ordinal) => StandInResponse.Json(KubernetesResponses.PodList(
                KubernetesResponses.Pod("gateway", "envoy-gw-0", "Running", "10.2.0.7", ready: true))),
            _ => new StandInResponse(404, KubernetesResponses.Status(404, "NotFound", "no such path")),
        });
        var discovery = Discovery(api, new KubernetesDiscoveryOptions { Namespaces = ["models", "gateway"], LabelSelectors = ["app.kubernetes.io/name=canary-sidecar"] });

        var endpoints = await discovery.DiscoverAsync(CancellationToken.None);

        Assert.Equal(
            [
                new SidecarEndpoint("gateway/envoy-gw-0", "10.2.0.7", 50052),
                new SidecarEndpoint("models/inference-a", "10.1.0.11", 6000),
                new SidecarEndpoint("models/inference-b", "10.1.0.12", 50052),
            ],
            endpoints);
        var requests = api.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.All(requests, r => Assert.Equal("GET", r.Method));
        Assert.Contains(requests, r => r.PathAndQuery == "/api/v1/namespaces/models/pods?labelSelector=app.kubernetes.io%2Fname%3Dcanary-sidecar&watch=false");
    }

    [Fact]
    public async Task DiscoverAsync_TwoSelectors_ListsEachOnceAndPodsMatchingBothOnce()
    {
        await using var api = new HttpStandIn(request => request.PathAndQuery.Contains("gateway", StringComparison.Ordinal)
            ? StandInResponse.Json(KubernetesResponses.PodList(
                KubernetesResponses.Pod("models", "envoy-gw-0", "Running", "10.1.0.7", ready: true),
                KubernetesResponses.Pod("models", "chat-0", "Running", "10.1.0.11", ready: true)))
            : StandInResponse.Json(KubernetesResponses.PodList(
                KubernetesResponses.Pod("models", "chat-0", "Running", "10.1.0.11", ready: true))));
        var discovery = Discovery(api, new KubernetesDiscoveryOptions { Namespaces = ["models"], LabelSelectors = ["app=chat", "app.kubernetes.io/component=gateway"] });

        var endpoints = await discovery.DiscoverAsync(CancellationToken.None);

        Assert.Equal([new SidecarEndpoint("models/chat-0", "10.1.0.11", 50052), new SidecarEndpoint("models/envoy-gw-0", "10.1.0.7", 50052)], endpoints);
        Assert.Equal(
            ["/api/v1/namespaces/models/pods?labelSelector=app%3Dchat&watch=false", "/api/v1/namespaces/models/pods?labelSelector=app.kubernetes.io%2Fcomponent%3Dgateway&watch=false"],
            api.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task DiscoverAsync_IncludeNotReady_ReturnsRunningNotReadyPodToo()
    {
        await using var api = new HttpStandIn(_ => StandInResponse.Json(KubernetesResponses.PodList(
            KubernetesResponses.Pod("models", "inference-notready", "Running", "10.1.0.13", ready: false),
            KubernetesResponses.Pod("models", "inference-pending", "Pending", null, ready: false))));
        var discovery = Discovery(api, new KubernetesDiscoveryOptions { Namespaces = ["models"], IncludeNotReady = true, ControlPort = 7000 });

        var endpoints = await discovery.DiscoverAsync(CancellationToken.None);

        Assert.Equal([new SidecarEndpoint("models/inference-notready", "10.1.0.13", 7000)], endpoints);
    }

    [Fact]
    public async Task DiscoverAsync_EmptyList_ReturnsNoEndpoints()
    {
        await using var api = new HttpStandIn(_ => StandInResponse.Json(KubernetesResponses.PodList()));

        var endpoints = await Discovery(api, new KubernetesDiscoveryOptions { Namespaces = ["models"] }).DiscoverAsync(CancellationToken.None);

        Assert.Empty(endpoints);
    }

    [Theory]
    [InlineData(500, (int)KubernetesApiFailure.HttpError, "HTTP 500")]
    [InlineData(403, (int)KubernetesApiFailure.Forbidden, "HTTP 403")]
    [InlineData(401, (int)KubernetesApiFailure.Forbidden, "HTTP 401")]
    [InlineData(404, (int)KubernetesApiFailure.NotFound, "HTTP 404")]
    public async Task DiscoverAsync_ErrorStatus_ThrowsKubernetesApiExceptionWithStatus(int status, int expected, string inMessage)
    {
        await using var api = new HttpStandIn(_ => new StandInResponse(status, KubernetesResponses.Status(status, "Failure", "pods is forbidden: User \\\"system:serviceaccount:canary:analyzer\\\" cannot list resource")));

        var ex = await Assert.ThrowsAsync<KubernetesApiException>(() => Discovery(api, new KubernetesDiscoveryOptions { Namespaces = ["models"] }).DiscoverAsync(CancellationToken.None));

        Assert.Equal((KubernetesApiFailure)expected, ex.Failure);
        Assert.Equal(status, ex.StatusCode);
        Assert.Contains(inMessage, ex.Message, StringComparison.Ordinal);
        Assert.Contains("namespace 'models'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<html>502 Bad Gateway</html>")]
    [InlineData("{\"kind\": \"PodList\", \"items\": [")]
    [InlineData("{\"kind\": \"PodList\", \"items\": 7}")]
    public async Task DiscoverAsync_Garbage_ThrowsInvalidResponse(string body)
    {
        await using var api = new HttpStandIn(_ => StandInResponse.Json(body));

        var ex = await Assert.ThrowsAsync<KubernetesApiException>(() => Discovery(api, new KubernetesDiscoveryOptions { Namespaces = ["models"] }).DiscoverAsync(CancellationToken.None));

        Assert.Equal(KubernetesApiFailure.InvalidResponse, ex.Failure);
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DiscoverAsync_SlowApiServer_ThrowsTimeout()
    {
        await using var api = new HttpStandIn(_ => new StandInResponse(200, KubernetesResponses.PodList(), TimeSpan.FromSeconds(10)));
        var discovery = Discovery(api, new KubernetesDiscoveryOptions { Namespaces = ["models"] }, TimeSpan.FromMilliseconds(300));

        var ex = await Assert.ThrowsAsync<KubernetesApiException>(() => discovery.DiscoverAsync(CancellationToken.None));

        Assert.Equal(KubernetesApiFailure.Timeout, ex.Failure);
        Assert.Contains("timed out", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DiscoverAsync_NothingListening_ThrowsUnreachable()
    {
        Uri closed;
        await using (var api = new HttpStandIn(_ => StandInResponse.Json(KubernetesResponses.PodList())))
        {
            closed = api.Uri;
        }

        var discovery = new KubernetesSidecarDiscovery(
            KubernetesClientFactory.Create(new KubernetesConnectionOptions { Host = closed, Timeout = TimeSpan.FromSeconds(5) }),
            new KubernetesDiscoveryOptions { Namespaces = ["models"] });

        var ex = await Assert.ThrowsAsync<KubernetesApiException>(() => discovery.DiscoverAsync(CancellationToken.None));

        Assert.Equal(KubernetesApiFailure.Unreachable, ex.Failure);
    }
}
