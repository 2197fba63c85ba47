using Canary.Sidecar.Hosting;
using Microsoft.AspNetCore.Http;

namespace Canary.Sidecar.UnitTests.Hosting;

public sealed class ListenerPortPolicyTests
{
    private const int ExtProcPort = 18001;
    private const int ControlPort = 18002;
    private const int MetricsPort = 18003;

    private static readonly ListenerPortPolicy Policy = new(new ListenerEndpoints(ExtProcPort, ControlPort, MetricsPort));

    [Theory]
    [InlineData("/envoy.service.ext_proc.v3.ExternalProcessor/Process", ExtProcPort, true, true)]
    [InlineData("/envoy.service.ext_proc.v3.ExternalProcessor/Process", ControlPort, false, false)]
    [InlineData("/envoy.service.ext_proc.v3.ExternalProcessor/Process", MetricsPort, false, false)]
    [InlineData("/canary.control.v1.RolloutControl/ApplyTable", ControlPort, true, false)]
    [InlineData("/canary.control.v1.RolloutControl/ApplyTable", ExtProcPort, false, false)]
    // Health and anything else keep their per-request scope, even on the ext_proc listener.
    [InlineData("/grpc.health.v1.Health/Check", ExtProcPort, true, false)]
    [InlineData("/grpc.health.v1.Health/Watch", ExtProcPort, true, false)]
    [InlineData("/grpc.health.v1.Health/Check", ControlPort, true, false)]
    [InlineData("/grpc.health.v1.Health/Check", MetricsPort, false, false)]
    [InlineData("/metrics", MetricsPort, true, false)]
    [InlineData("/metrics", ExtProcPort, false, false)]
    [InlineData("/healthz", ExtProcPort, false, false)]
    [InlineData("", ExtProcPort, false, false)]
    public void IsAllowed_EachApiOnlyOnItsListener_ExtProcCallsOnlyOnTheExtProcListener(string path, int port, bool allowed, bool extProc)
    {
        Assert.Equal(allowed, Policy.IsAllowed(Request(path, port), out var isExtProcCall));
        Assert.Equal(extProc, isExtProcCall);
    }

    private static DefaultHttpContext Request(string path, int port)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Connection.LocalPort = port;
        return context;
    }
}
