using Canary.Sidecar.Hosting;
using Microsoft.AspNetCore.Http;

namespace Canary.Sidecar.UnitTests.Hosting;

public sealed class ListenerPortPolicyTests
{
    private const int ExtProcPort = 18001;
    private const int ControlPort = 18002;
    private const int MetricsPort = 18003;

    private static readonly ListenerPortPolicy Policy = new(ExtProcPort, ControlPort, MetricsPort);

    [Theory]
    [InlineData("/envoy.service.ext_proc.v3.ExternalProcessor/Process", ExtProcPort, true)]
    [InlineData("/envoy.service.ext_proc.v3.ExternalProcessor/Process", ControlPort, false)]
    [InlineData("/envoy.service.ext_proc.v3.ExternalProcessor/Process", MetricsPort, false)]
    [InlineData("/canary.control.v1.RolloutControl/ApplyTable", ControlPort, true)]
    [InlineData("/canary.control.v1.RolloutControl/ApplyTable", ExtProcPort, false)]
    [InlineData("/grpc.health.v1.Health/Check", ExtProcPort, true)]
    [InlineData("/grpc.health.v1.Health/Check", ControlPort, true)]
    [InlineData("/grpc.health.v1.Health/Check", MetricsPort, false)]
    [InlineData("/metrics", MetricsPort, true)]
    [InlineData("/metrics", ExtProcPort, false)]
    public void IsAllowed_EachApiOnlyOnItsListener(string path, int port, bool allowed) =>
        Assert.Equal(allowed, Policy.IsAllowed(Request(path, port)));

    [Theory]
    [InlineData("/envoy.service.ext_proc.v3.ExternalProcessor/Process", ExtProcPort, true)]
    [InlineData("/envoy.service.ext_proc.v3.ExternalProcessor/Process", ControlPort, false)]
    // Health and anything else keep their per-request scope, even on the ext_proc listener.
    [InlineData("/grpc.health.v1.Health/Check", ExtProcPort, false)]
    [InlineData("/grpc.health.v1.Health/Watch", ExtProcPort, false)]
    [InlineData("/healthz", ExtProcPort, false)]
    [InlineData("", ExtProcPort, false)]
    public void IsExtProcCall_OnlyExtProcPathsOnTheExtProcListener(string path, int port, bool extProc) =>
        Assert.Equal(extProc, Policy.IsExtProcCall(Request(path, port)));

    private static DefaultHttpContext Request(string path, int port)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Connection.LocalPort = port;
        return context;
    }
}
