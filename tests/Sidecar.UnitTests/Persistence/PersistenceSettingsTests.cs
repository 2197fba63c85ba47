using Canary.Sidecar.Hosting;

namespace Canary.Sidecar.UnitTests.Persistence;

/// <summary>Canary:Telemetry and Canary:Database refuse keys no feature reads, in the same round as every other error.</summary>
public sealed class PersistenceSettingsTests
{
    [Fact]
    public void Build_UnknownTelemetryAndDatabaseKeys_RefusedWithEveryOtherErrorAtOnce()
    {
        var error = Assert.Throws<ConfigurationErrorsException>(() => SidecarApplication.Build(
        [
            "--Canary:Telemetry:FlushIntervall=00:00:05",
            "--Canary:Telemetry:ConnectionString=Host=elsewhere",
            "--Canary:Telemetry:Prices:0:Model=gpt-*",
            "--Canary:Telemetry:Prices:0:Input=1",
            "--Canary:Telemetry:Prices:0:Output=2",
            "--Canary:Telemetry:Prices:0:Ouptut=3",
            "--Canary:Telemetry:FlushInterval=02:00:00",
            "--Canary:Database:PoolSize=3",
            "--Canary:Routing:Colour=blue",
        ]));

        Assert.Contains("Canary:Telemetry:FlushIntervall: unknown setting", error.Errors);
        Assert.Contains("Canary:Telemetry:ConnectionString: unknown setting", error.Errors);
        Assert.Contains("Canary:Telemetry:Prices:0:Ouptut: unknown setting", error.Errors);
        Assert.Contains("Canary:Telemetry:FlushInterval must be between 100 ms and 1 h.", error.Errors);
        Assert.Contains("Canary:Database:PoolSize: unknown setting", error.Errors);
        Assert.Contains("Canary:Routing:Colour: unknown setting", error.Errors);
        Assert.Equal(6, error.Errors.Count);
    }

    [Fact]
    public void Build_TelemetryValueThatDoesNotBind_ListedWithTheOthers()
    {
        var error = Assert.Throws<ConfigurationErrorsException>(() => SidecarApplication.Build(
        [
            "--Canary:Telemetry:QueueDuration=an hour",
            "--Canary:Database:Colour=blue",
        ]));

        Assert.Contains(error.Errors, e => e.StartsWith("Canary:Telemetry: ", StringComparison.Ordinal) && e.Contains("QueueDuration", StringComparison.Ordinal));
        Assert.Contains("Canary:Database:Colour: unknown setting", error.Errors);
        Assert.Equal(2, error.Errors.Count);
    }

    [Fact]
    public async Task Build_EveryTelemetryAndDatabaseKey_Accepted()
    {
        await using var app = SidecarApplication.Build(
        [
            "--Canary:Telemetry:FlushInterval=00:00:05",
            "--Canary:Telemetry:QueueDuration=00:30:00",
            "--Canary:Telemetry:ApplyMigrations=false",
            "--Canary:Telemetry:InitialRetryDelay=00:00:02",
            "--Canary:Telemetry:MaxRetryDelay=00:00:30",
            "--Canary:Telemetry:ArmIdleTimeout=00:10:00",
            "--Canary:Telemetry:Prices:0:Model=gpt-*",
            "--Canary:Telemetry:Prices:0:Input=1",
            "--Canary:Telemetry:Prices:0:CachedInput=0.5",
            "--Canary:Telemetry:Prices:0:Output=2",
            "--Canary:Telemetry:Prices:0:CacheWrite=1.25",
            "--Canary:Database:PollInterval=00:00:05",
        ]);

        Assert.NotNull(app);
    }
}
