using Canary.Analyzer.Discovery;

namespace Canary.Analyzer.UnitTests.Discovery;

public sealed class StaticSidecarDiscoveryTests
{
    [Fact]
    public async Task Parse_NamedUnnamedAndIpv6_ReturnsSortedEndpoints()
    {
        var discovery = StaticSidecarDiscovery.Parse(["zeta=10.0.0.9:50052", "10.0.0.1:6000", " v6 = [::1]:50052 ", "gw=sidecar.local:50052"]);

        var endpoints = await discovery.DiscoverAsync(CancellationToken.None);

        Assert.Equal(
            [
                new SidecarEndpoint("10.0.0.1:6000", "10.0.0.1", 6000),
                new SidecarEndpoint("gw", "sidecar.local", 50052),
                new SidecarEndpoint("v6", "::1", 50052),
                new SidecarEndpoint("zeta", "10.0.0.9", 50052),
            ],
            endpoints);
        Assert.Equal(new Uri("http://[::1]:50052"), endpoints[2].ControlUri);
        Assert.Equal(new Uri("http://sidecar.local:50052"), endpoints[1].ControlUri);
    }

    [Theory]
    [InlineData("10.0.0.1", "expected host:port")]
    [InlineData("10.0.0.1:", "expected host:port")]
    [InlineData("10.0.0.1:http", "port must be a number")]
    [InlineData("10.0.0.1:70000", "port must be a number")]
    [InlineData("10.0.0.1:0", "port must be a number")]
    [InlineData("::1:50052", "IPv6 address needs brackets")]
    [InlineData("=10.0.0.1:50052", "must not be empty")]
    public void Parse_InvalidEntry_ThrowsFormatExceptionNamingTheEntry(string entry, string why)
    {
        var ex = Assert.Throws<FormatException>(() => StaticSidecarDiscovery.Parse([entry]));

        Assert.Contains($"'{entry}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(why, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateName_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => StaticSidecarDiscovery.Parse(["a=10.0.0.1:1", "a=10.0.0.2:1"]));

        Assert.Contains("'a' appears twice", ex.Message, StringComparison.Ordinal);
    }
}
