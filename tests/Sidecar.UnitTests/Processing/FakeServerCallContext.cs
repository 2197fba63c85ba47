using Grpc.Core;

namespace Canary.Sidecar.UnitTests.Processing;

/// <summary>A call context whose only live part is the request's cancellation token, which the test controls.</summary>
internal sealed class FakeServerCallContext : ServerCallContext
{
    private readonly CancellationTokenSource _aborted = new();

    /// <summary>Cancels the request's token, as Kestrel's abort callback does some time after a reset.</summary>
    public void Abort() => _aborted.Cancel();

    protected override string MethodCore => "/envoy.service.ext_proc.v3.ExternalProcessor/Process";

    protected override string HostCore => "localhost";

    protected override string PeerCore => "ipv4:127.0.0.1:1";

    protected override DateTime DeadlineCore => DateTime.MaxValue;

    protected override Metadata RequestHeadersCore { get; } = [];

    protected override CancellationToken CancellationTokenCore => _aborted.Token;

    protected override Metadata ResponseTrailersCore { get; } = [];

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore { get; } = new(null, new Dictionary<string, List<AuthProperty>>());

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException();

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
