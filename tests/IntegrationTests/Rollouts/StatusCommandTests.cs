using Canary.Analyzer.Cli;
using Canary.IntegrationTests.Postgres;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Canary.IntegrationTests.Rollouts;

/// <summary><c>status</c> against real PostgreSQL reads "now" from the command's clock, so time in stage is exact.</summary>
[Collection(PostgresCollection.Name)]
public sealed class StatusCommandTests
{
    private readonly PostgresServerFixture _postgres;
    private readonly ITestOutputHelper _output;

    public StatusCommandTests(PostgresServerFixture postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    [PostgresFact]
    public async Task Status_ClockThreeHoursPastTheStart_ShowsThreeHoursInStage()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
        var start = await RunAsync(clock, "start", "--skip-preflight", "--skipped-by", "test", "--route", "chat", "--stable", "v1", "--canary", "v2", "--database", dataSource.ConnectionString);
        Assert.True(start.Code == ExitCodes.Ok, start.ToString());

        clock.Advance(TimeSpan.FromHours(3));
        var status = await RunAsync(clock, "status", "--database", dataSource.ConnectionString);

        Assert.True(status.Code == ExitCodes.Ok, status.ToString());
        var line = status.Out.Split('\n').Single(l => l.StartsWith("chat ", StringComparison.Ordinal));
        Assert.Matches(@"^chat\s+running\s+1/\d+\s+5%\s+3\.0h\s", line);
    }

    private async Task<Result> RunAsync(TimeProvider clock, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await AnalyzerCli.RunAsync(args, new CliOutput(stdout, stderr), new CliEnvironment(new Dictionary<string, string>(), clock));
        var result = new Result(code, stdout.ToString(), stderr.ToString());
        _output.WriteLine($"$ canary-analyzer {args[0]}\n{result}");
        return result;
    }

    private sealed record Result(int Code, string Out, string Err)
    {
        public override string ToString() => $"exit {Code}\n{Out}{Err}";
    }
}
