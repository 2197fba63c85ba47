using Canary.Analyzer.Alerts;
using Canary.Analyzer.Configuration;

namespace Canary.Analyzer.UnitTests.Configuration;

public sealed class AnalyzerSettingsReaderTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("canary-settings.");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void Read_NothingConfigured_DefaultsAndNoErrors()
    {
        var (settings, errors) = Read([]);

        Assert.Empty(errors);
        Assert.Null(settings.DatabaseConnectionString);
        Assert.Null(settings.StaticSidecars);
        Assert.Null(settings.KubernetesDiscovery);
        Assert.Null(settings.ControlToken);
        Assert.Null(settings.Prices);
        Assert.Empty(settings.Alerts.Delivery.Webhooks);
    }

    [Fact]
    public void Read_ManyProblemsAcrossSections_EveryOneListedInOneRound()
    {
        var (_, errors) = Read(
            [
                ("Canary__Colour", "blue"),
                ("Canary__Database__ConnectionString", "Hots=nowhere"),
                ("Canary__Control__TokenFile", Path.Combine(_directory.FullName, "missing-token")),
                ("Canary__Discovery__Namespace", "inference"),
                ("Canary__Discovery__ControlPort", "70000"),
                ("Canary__Alerts__Webhooks__0__Url", "ftp://hooks.example/secret"),
                ("Canary__Alerts__Webhooks__3__Format", "teams"),
                ("Canary__Alerts__MaxAttempts", "0"),
                ("CANARY_SIDECARS", "a=10.0.0.1:50052,nonsense"),
                ("CANARY_PRICE_TABLE", Path.Combine(_directory.FullName, "missing-prices.json")),
            ],
            requireDatabase: true);

        Assert.Contains("Canary:Colour (Canary__Colour): unknown setting", errors);
        Assert.Contains(errors, e => e.StartsWith("Canary:Database:ConnectionString (Canary__Database__ConnectionString): not a PostgreSQL connection string", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Canary:Control:TokenFile (Canary__Control__TokenFile): cannot read", StringComparison.Ordinal));
        Assert.Contains("Canary:Discovery:ControlPort (Canary__Discovery__ControlPort) \"70000\": a port from 1 to 65535", errors);
        Assert.Contains("Canary:Alerts:Webhooks:0:Url (Canary__Alerts__Webhooks__0__Url): not an absolute http(s) URL", errors);
        Assert.Contains("Canary:Alerts:Webhooks:3:Format (Canary__Alerts__Webhooks__3__Format) \"teams\": use slack or generic", errors);
        Assert.Contains("Canary:Alerts:Webhooks:3:Url (Canary__Alerts__Webhooks__3__Url): missing (webhook 3 has a format but no URL)", errors);
        Assert.Contains("Canary:Alerts:MaxAttempts (Canary__Alerts__MaxAttempts) \"0\": 1 to 10", errors);
        Assert.Contains(errors, e => e.StartsWith("CANARY_SIDECARS: Static sidecar entry 'nonsense' is invalid", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("CANARY_PRICE_TABLE: cannot read", StringComparison.Ordinal));
        Assert.Equal(10, errors.Count);
        Assert.DoesNotContain(errors, e => e.Contains("secret", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Canary__Verbose", "Canary:Verbose")]
    [InlineData("Canary__Database__PoolSize", "Canary:Database:PoolSize")]
    [InlineData("Canary__Control__Token", "Canary:Control:Token")]
    [InlineData("Canary__Discovery__LabelSelector", "Canary:Discovery:LabelSelector")]
    [InlineData("Canary__Alerts__Webhook__0__Url", "Canary:Alerts:Webhook:0:Url")]
    [InlineData("Canary__Alerts__Webhooks__0__Channel", "Canary:Alerts:Webhooks:0:Channel")]
    [InlineData("Canary__Alerts__Webhooks__first__Url", "Canary:Alerts:Webhooks:first:Url")]
    [InlineData("Canary__MeshWeights__VirtualService", "Canary:MeshWeights:VirtualService")]
    public void Read_UnknownKeyInAnySection_Refused(string variable, string key)
    {
        var (_, errors) = Read([(variable, "x")]);

        Assert.Contains($"{key} ({variable}): unknown setting", errors);
    }

    [Fact]
    public async Task Read_ListSettings_EveryEntryReadWhateverItsIndex()
    {
        var (settings, errors) = Read(
            [
                ("Canary__Discovery__Namespace", "inference"),
                ("Canary__Discovery__LabelSelectors__0", "canary.dev/sidecar=true"),
                ("Canary__Discovery__LabelSelectors__1", "app.kubernetes.io/component=gateway"),
                ("Canary__Discovery__LabelSelectors__3", "team=models"),
                ("Canary__Alerts__Webhooks__0__Url", "https://hooks.slack.example/T0/B0/x"),
                ("Canary__Alerts__Webhooks__0__Format", "slack"),
                ("Canary__Alerts__Webhooks__2__Url", "http://pager.internal/canary"),
                ("Canary__Alerts__Webhooks__10__Url", "http://second-pager.internal/canary"),
                ("CANARY_SIDECARS", "b=10.0.0.2:50052, a=10.0.0.1:50052"),
            ]);

        Assert.Empty(errors);
        Assert.Equal(["canary.dev/sidecar=true", "app.kubernetes.io/component=gateway", "team=models"], settings.KubernetesDiscovery!.LabelSelectors);
        Assert.Equal(["inference"], settings.KubernetesDiscovery.Namespaces);
        Assert.Equal(
            [
                new AlertWebhook(new Uri("https://hooks.slack.example/T0/B0/x"), AlertWebhookFormat.Slack),
                new AlertWebhook(new Uri("http://pager.internal/canary"), AlertWebhookFormat.Generic),
                new AlertWebhook(new Uri("http://second-pager.internal/canary"), AlertWebhookFormat.Generic),
            ],
            settings.Alerts.Delivery.Webhooks);
        Assert.Equal(["a", "b"], (await settings.StaticSidecars!.DiscoverAsync(CancellationToken.None)).Select(e => e.Name));
    }

    [Fact]
    public void Read_EnvironmentTheChartRenders_ValidWithEverySelector()
    {
        // What charts/sidecar renders into the analyzer container (templates/_helpers.tpl, sidecar.analyzer.podSpec).
        var token = Path.Combine(_directory.FullName, "token");
        File.WriteAllText(token, "s3cret\n");
        var (settings, errors) = Read(
            [
                ("Canary__Database__ConnectionString", "Host=postgres;Database=canary;Username=canary;Password=pw"),
                ("Canary__Control__TokenFile", token),
                ("Canary__Discovery__Namespace", "inference"),
                ("Canary__Discovery__ControlPort", "50052"),
                ("Canary__Discovery__LabelSelectors__0", "app=chat,canary.dev/sidecar=true"),
                ("Canary__Discovery__LabelSelectors__1", "app.kubernetes.io/component=gateway,app.kubernetes.io/instance=canary"),
            ],
            requireDatabase: true);

        Assert.Empty(errors);
        Assert.Equal("s3cret", settings.ControlToken);
        Assert.Equal(2, settings.KubernetesDiscovery!.LabelSelectors.Count);
        Assert.Equal(50052, settings.KubernetesDiscovery.ControlPort);
    }

    [Fact]
    public void Read_CommandLineSettings_WinOverEnvironmentInBothForms()
    {
        var arguments = ConfigurationArguments.Split(["run-once", "--Canary:Alerts:MaxAttempts=3", "--dry-run", "--Canary:Discovery:Namespace", "models"]);
        var configuration = AnalyzerConfiguration.Build(
            new Dictionary<string, string> { ["Canary__Alerts__MaxAttempts"] = "2", ["Canary__Discovery__Namespace"] = "inference" }, arguments.Settings);
        var errors = new List<string>();

        var settings = AnalyzerSettingsReader.Read(configuration, CommandLineOverrides.None, requireDatabase: false, errors);

        Assert.Empty(errors);
        Assert.Equal(["run-once", "--dry-run"], arguments.Command);
        Assert.Equal(3, settings.Alerts.Delivery.MaxAttempts);
        Assert.Equal(["models"], settings.KubernetesDiscovery!.Namespaces);
    }

    [Fact]
    public void Split_SettingWithoutValue_ReportedNotPassedToTheCommand()
    {
        var arguments = ConfigurationArguments.Split(["status", "--Canary:Alerts:MaxAttempts", "--rollout", "chat"]);

        Assert.Equal(["status", "--rollout", "chat"], arguments.Command);
        Assert.Empty(arguments.Settings);
        Assert.Equal(["--Canary:Alerts:MaxAttempts: no value (give --Canary:Alerts:MaxAttempts=value)"], arguments.Errors);
    }

    [Fact]
    public void Read_Database_OptionThenKeyThenAlias()
    {
        (string, string)[] both = [("Canary__Database__ConnectionString", "Host=from-key"), ("CANARY_DATABASE_URL", "Host=from-alias")];

        Assert.Equal("Host=from-alias", Read([("CANARY_DATABASE_URL", "Host=from-alias")]).Settings.DatabaseConnectionString);
        Assert.Equal("Host=from-key", Read(both).Settings.DatabaseConnectionString);
        Assert.Equal("Host=from-option", Read(both, overrides: new CommandLineOverrides { Database = "Host=from-option" }).Settings.DatabaseConnectionString);
    }

    [Fact]
    public void Read_NoDatabaseWhereOneIsNeeded_SaysHowToGiveOne()
    {
        var (_, errors) = Read([], requireDatabase: true);

        Assert.Equal(["no database: pass --database or set Canary__Database__ConnectionString (or CANARY_DATABASE_URL)"], errors);
    }

    [Fact]
    public void Read_ControlToken_FileWinsOverTheVariable()
    {
        var file = Path.Combine(_directory.FullName, "token");
        File.WriteAllText(file, " from-file \n");

        Assert.Equal("from-variable", Read([("CANARY_CONTROL_TOKEN", "from-variable")]).Settings.ControlToken);
        Assert.Equal("from-file", Read([("CANARY_CONTROL_TOKEN", "from-variable"), ("Canary__Control__TokenFile", file)]).Settings.ControlToken);
        Assert.Equal("from-file", Read([("CANARY_CONTROL_TOKEN", "from-variable")], overrides: new CommandLineOverrides { TokenFile = file }).Settings.ControlToken);
    }

    [Fact]
    public void Read_SidecarsOption_WinsOverTheVariable()
    {
        var (settings, errors) = Read([("CANARY_SIDECARS", "nonsense")], overrides: new CommandLineOverrides { Sidecars = ["one=127.0.0.1:50052"] });

        Assert.Empty(errors);
        Assert.NotNull(settings.StaticSidecars);
    }

    [Fact]
    public void Read_PriceTableWithErrors_EachErrorNamesTheFile()
    {
        var file = Path.Combine(_directory.FullName, "prices.json");
        File.WriteAllText(file, """[{ "Model": "m", "Input": -1 }]""");

        var (settings, errors) = Read([("CANARY_PRICE_TABLE", file)]);

        Assert.Null(settings.Prices);
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.StartsWith($"CANARY_PRICE_TABLE {file}: ", e, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_MeshWeightsEnabledWithVirtualServices_ListedInOrder()
    {
        var (settings, errors) = Read(
        [
            ("Canary__MeshWeights__Enabled", "true"),
            ("Canary__MeshWeights__VirtualServices__0", "models/chat"),
            ("Canary__MeshWeights__VirtualServices__1", "gateway/edge.v2"),
        ]);

        Assert.Empty(errors);
        Assert.Equal([new("models", "chat"), new("gateway", "edge.v2")], settings.MeshWeightServices!);
    }

    [Fact]
    public void Read_MeshWeightsOff_NoServicesEvenWhenListed()
    {
        var (settings, errors) = Read([("Canary__MeshWeights__VirtualServices__0", "models/chat")]);

        Assert.Empty(errors);
        Assert.Null(settings.MeshWeightServices);
    }

    [Fact]
    public void Read_MeshWeightsBadValues_EveryProblemListed()
    {
        var (_, errors) = Read(
        [
            ("Canary__MeshWeights__Enabled", "yes"),
            ("Canary__MeshWeights__VirtualServices__0", "chat"),
            ("Canary__MeshWeights__VirtualServices__1", "Models/Chat"),
            ("Canary__MeshWeights__VirtualServices__2", "models/chat"),
            ("Canary__MeshWeights__VirtualServices__5", "models/chat"),
            ("Canary__MeshWeights__Route", "default"),
        ]);

        Assert.Contains("Canary:MeshWeights:Enabled (Canary__MeshWeights__Enabled) \"yes\": true or false", errors);
        Assert.Contains(errors, e => e.StartsWith("Canary:MeshWeights:VirtualServices:0 (Canary__MeshWeights__VirtualServices__0) \"chat\": expected namespace/name", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Canary:MeshWeights:VirtualServices:1 (Canary__MeshWeights__VirtualServices__1) \"Models/Chat\": expected namespace/name", StringComparison.Ordinal));
        Assert.Contains("Canary:MeshWeights:VirtualServices:5 (Canary__MeshWeights__VirtualServices__5) \"models/chat\": listed twice", errors);
        Assert.Contains("Canary:MeshWeights:Route (Canary__MeshWeights__Route): unknown setting", errors);
        Assert.Equal(5, errors.Count);
    }

    [Fact]
    public void Read_MeshWeightsEnabledWithoutVirtualServices_Refused()
    {
        var (_, errors) = Read([("Canary__MeshWeights__Enabled", "True")]);

        Assert.Equal(
            "Canary:MeshWeights:Enabled (Canary__MeshWeights__Enabled) is true but no Canary:MeshWeights:VirtualServices:0 (Canary__MeshWeights__VirtualServices__0) (namespace/name) is set: mesh-weight mode would patch nothing",
            Assert.Single(errors));
    }

    private static (AnalyzerSettings Settings, List<string> Errors) Read(
        (string Name, string Value)[] environment, bool requireDatabase = false, CommandLineOverrides? overrides = null)
    {
        var configuration = AnalyzerConfiguration.Build(environment.ToDictionary(v => v.Name, v => v.Value), []);
        var errors = new List<string>();
        var settings = AnalyzerSettingsReader.Read(configuration, overrides ?? CommandLineOverrides.None, requireDatabase, errors);
        return (settings, errors);
    }
}
