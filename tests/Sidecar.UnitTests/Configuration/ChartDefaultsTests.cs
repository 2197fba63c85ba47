using System.Text.Json;
using Canary.Sidecar.Configuration;

namespace Canary.Sidecar.UnitTests.Configuration;

/// <summary>
/// The Helm chart renders the EnvoyFilter and the container from charts/sidecar/sidecar-defaults.json; the sidecar's
/// built-in defaults must say the same, or Envoy would talk to a port or header the sidecar does not use.
/// </summary>
public sealed class ChartDefaultsTests
{
    [Fact]
    public void SidecarDefaults_MatchChartDefaultsFile()
    {
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "charts", "sidecar", "sidecar-defaults.json")));
        var canary = file.RootElement.GetProperty("Canary");
        var options = new SidecarOptions();

        var extProc = canary.GetProperty("ExtProc");
        Assert.Equal(options.ExtProc.Port, extProc.GetProperty("Port").GetInt32());
        Assert.Equal(options.ExtProc.BindAddress, extProc.GetProperty("BindAddress").GetString());
        Assert.Equal(options.ExtProc.MaxConcurrentStreams, extProc.GetProperty("MaxConcurrentStreams").GetInt32());
        Assert.Equal(options.ExtProc.MaxMessageBytes, extProc.GetProperty("MaxMessageBytes").GetInt32());
        Assert.Equal(options.Control.Port, canary.GetProperty("Control").GetProperty("Port").GetInt32());
        Assert.Equal(options.Control.BindAddress, canary.GetProperty("Control").GetProperty("BindAddress").GetString());
        Assert.Equal(options.Metrics.Port, canary.GetProperty("Metrics").GetProperty("Port").GetInt32());
        Assert.Equal(options.Metrics.BindAddress, canary.GetProperty("Metrics").GetProperty("BindAddress").GetString());

        var routing = canary.GetProperty("Routing");
        Assert.Equal(options.Routing.RouteKeyHeader, routing.GetProperty("RouteKeyHeader").GetString());
        Assert.Equal(options.Routing.EffectiveUserKeyHeaders, routing.GetProperty("UserKeyHeaders").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(options.Routing.TenantHeader, routing.GetProperty("TenantHeader").GetString());
        Assert.Equal(options.Routing.SubsetHeader, routing.GetProperty("SubsetHeader").GetString());
        Assert.Equal(options.Routing.RemoveSubsetHeaderOnUnmatched, routing.GetProperty("RemoveSubsetHeaderOnUnmatched").GetBoolean());

        // The sidecar switches body modes per request, so the filter's static modes must leave bodies off.
        var modes = file.RootElement.GetProperty("Envoy").GetProperty("ProcessingMode");
        Assert.Equal("NONE", modes.GetProperty("request_body_mode").GetString());
        Assert.Equal("NONE", modes.GetProperty("response_body_mode").GetString());
        Assert.True(file.RootElement.GetProperty("Envoy").GetProperty("AllowModeOverride").GetBoolean());
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Sidecar.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Sidecar.sln not found above the test directory");
    }
}
