using Canary.Analyzer.Cli;
using Canary.Analyzer.Decisions;

namespace Canary.Analyzer.UnitTests.Cli;

public sealed class StartCommandTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 1, 2, 3, TimeSpan.Zero);

    private static StartAudience Audience(
        string route = "chat", string stable = "stable", string canary = "canary", string? salt = null, string[]? forced = null,
        string[]? excludedUsers = null, string[]? excludedTenants = null, string? optIn = null, string? stableModel = null, string? canaryModel = null) =>
        new(route, stable, canary, salt, forced ?? [], excludedUsers ?? [], excludedTenants ?? [], optIn, stableModel, canaryModel);

    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await AnalyzerCli.RunAsync(args, new CliOutput(stdout, stderr));
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void ReadDefinition_EveryOption_InTheTableEntry()
    {
        var errors = new List<string>();

        var definition = StartCommand.ReadDefinition(
            Audience(salt: "chat-2026-12", forced: ["qa-1"], excludedUsers: ["vip-1", "vip-2"], excludedTenants: ["bank"], optIn: "X-Canary-Opt-In"),
            Now,
            errors);

        Assert.Empty(errors);
        Assert.Equal("chat-2026-12", definition.Salt);
        Assert.Equal(["qa-1"], definition.ForcedCanaryUsers);
        Assert.Equal(["vip-1", "vip-2"], definition.ExcludedUsers);
        Assert.Equal(["bank"], definition.ExcludedTenants);
        Assert.Equal("x-canary-opt-in", definition.OptInHeader);
    }

    [Fact]
    public void ReadDefinition_NoSalt_FreshForEveryRolloutOfTheSameCanary()
    {
        var errors = new List<string>();

        var first = StartCommand.ReadDefinition(Audience(), Now, errors).Salt;
        var second = StartCommand.ReadDefinition(Audience(), Now, errors).Salt;

        Assert.Empty(errors);
        Assert.NotEqual(first, second);
        Assert.Matches("^canary-20261206T010203Z-[0-9a-f]{16}$", first);
        Assert.NotEqual("chat/canary", first);
    }

    [Fact]
    public void ReadDefinition_ManyProblems_EveryOneListed()
    {
        var errors = new List<string>();

        StartCommand.ReadDefinition(
            Audience(stable: "v 1", canary: "v 1", salt: "", forced: ["qa-1", ""], excludedUsers: ["qa-1", "vip", "vip"], excludedTenants: [""], optIn: "x opt", stableModel: "gpt-4o"),
            Now,
            errors);

        Assert.Equal(
            [
                "--stable \"v 1\": a subset name may contain only letters, digits and !#$%&'*+-.^_`|~",
                "--canary \"v 1\": a subset name may contain only letters, digits and !#$%&'*+-.^_`|~",
                "--stable and --canary are both \"v 1\": the canary must be another subset",
                "--salt: empty (leave it out for a fresh salt)",
                "--forced-user: empty",
                "--excluded-user \"vip\": given twice",
                "--excluded-tenant: empty",
                "--forced-user and --excluded-user both name \"qa-1\": an excluded user never gets the canary, so forcing it does nothing",
                "--opt-in-header \"x opt\": not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~, e.g. x-canary-opt-in)",
                "--stable-model and --canary-model go together (model-rewrite mode needs both)",
            ],
            errors);
    }

    [Fact]
    public void ReadDecisionOptions_Guards_ReplaceTheDefaultOfTheirKeyAndAddNewOnes()
    {
        var errors = new List<string>();

        var options = StartCommand.ReadDecisionOptions("5/1h,100", 200, "1m", ["error_rate=+25%", "latency_p99=+20%,min=500"], errors);

        Assert.Empty(errors);
        Assert.Equal(0.25, options.Guards.Single(g => g.Key == "error_rate").Threshold);
        var p99 = options.Guards.Single(g => g.Key == "latency_p99");
        Assert.Equal(0.2, p99.Threshold);
        Assert.Equal(500, p99.MinimumSamples);
        Assert.Equal(new DecisionOptions().Guards.Count + 1, options.Guards.Count);
        Assert.Equal(TimeSpan.FromMinutes(1), options.WarmUp);
    }

    [Fact]
    public void ReadDecisionOptions_BadGuardsAndSchedule_EveryOneListed()
    {
        var errors = new List<string>();

        StartCommand.ReadDecisionOptions("5/1h,101", null, "soon", ["tokens=+5%", "error_rate=lots", "refusal_rate=+50%", "refusal_rate=+60%"], errors);

        Assert.Contains(errors, e => e.StartsWith("schedule stage 2 (\"101\")", StringComparison.Ordinal));
        Assert.Contains("--warm-up \"soon\": use 30s, 10m or 1h", errors);
        Assert.Contains(errors, e => e.StartsWith("--guard \"tokens=+5%\": expected key=threshold", StringComparison.Ordinal));
        Assert.Contains("--guard \"error_rate=lots\": threshold \"lots\" is not a number or percentage such as +50%", errors);
        Assert.Contains("--guard \"refusal_rate=+60%\": a second --guard for refusal_rate; give each guard once", errors);
        Assert.Contains("schedule: the last stage must be 100", errors);
        Assert.True(errors.Count == 6, string.Join("\n", errors));
    }

    [Fact]
    public async Task RunAsync_StartWithBadOptions_EveryProblemOnStderrAndNothingDone()
    {
        // A database that does not exist: the options are checked before anything connects.
        var (code, stdout, stderr) = await RunAsync(
            "start", "--route", "chat", "--stable", "stable", "--canary", "stable", "--guard", "colour=red", "--opt-in-header", "bad header",
            "--excluded-tenant", "", "--database", "Host=127.0.0.1;Port=1;Timeout=1");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("canary-analyzer start: ", l, StringComparison.Ordinal));
        Assert.Contains("--stable and --canary are both \"stable\"", stderr, StringComparison.Ordinal);
        Assert.Contains("--guard \"colour=red\"", stderr, StringComparison.Ordinal);
        Assert.Contains("--opt-in-header \"bad header\"", stderr, StringComparison.Ordinal);
        Assert.Contains("--excluded-tenant: empty", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_StartHelp_ListsTheAudienceAndGuardOptions()
    {
        var (code, stdout, _) = await RunAsync("start", "--help");

        Assert.Equal(ExitCodes.Ok, code);
        foreach (var option in new[] { "--excluded-user", "--excluded-tenant", "--opt-in-header", "--forced-user", "--guard", "--salt" })
        {
            Assert.Contains(option, stdout, StringComparison.Ordinal);
        }
    }
}
