using Canary.Analyzer.Cli;
using Canary.Analyzer.Reports;
using Canary.IntegrationTests.Postgres;
using Npgsql;

namespace Canary.IntegrationTests.Reports;

/// <summary>
/// <c>report --rollout</c> reads the rollout's quality samples with their judgements and paired comparisons from
/// PostgreSQL: scores per arm, pairs with the judge's order consistency, win rates over time and the lowest-scored
/// answers; samples of another rollout, or taken before this one started, stay out.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class QualityReportSectionTests
{
    private const string Rollout = "quality-report";
    private readonly PostgresServerFixture _postgres;

    public QualityReportSectionTests(PostgresServerFixture postgres) => _postgres = postgres;

    [PostgresFact]
    public async Task Report_JudgedAndPairedSamples_ScoresPairsWinRatesAndLowestAnswers()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        Assert.Equal(ExitCodes.Ok, await CliAsync(["start", "--skip-preflight", "--route", Rollout, "--stable", "v1", "--canary", "v2", "--database", dataSource.ConnectionString]));
        var now = DateTimeOffset.UtcNow;
        // Stable: scores 5, 5, 4 (passed) and one unparseable; canary: 2 (failed), 1 (failed), 5, one failed call and one not judged.
        await SampleAsync(dataSource, Rollout, "stable", now, Judged(5, true), Pair("stable", "stable"));
        await SampleAsync(dataSource, Rollout, "stable", now, Judged(5, true), Pair("stable", "canary"));
        await SampleAsync(dataSource, Rollout, "stable", now, Judged(4, true), Pair("tie", "tie"));
        await SampleAsync(dataSource, Rollout, "stable", now, ("unparseable", null, null, "not a verdict"), null);
        await SampleAsync(dataSource, Rollout, "canary", now, Judged(2, false, "Misses the <b>question</b>."), Pair("stable", "stable"));
        await SampleAsync(dataSource, Rollout, "canary", now, Judged(1, false, "Wrong refund policy."), Pair("canary", "canary"));
        await SampleAsync(dataSource, Rollout, "canary", now, Judged(5, true), null);
        await SampleAsync(dataSource, Rollout, "canary", now, ("failed", null, null, "judge unreachable"), null);
        await SampleAsync(dataSource, Rollout, "canary", now, null, null);
        // Another rollout's sample, and one of this rollout from before it started: in no figure.
        await SampleAsync(dataSource, "other", "canary", now, Judged(1, false, "other rollout"), Pair("stable", "stable"));
        await SampleAsync(dataSource, Rollout, "canary", now.AddDays(-1), Judged(1, false, "before the start"), Pair("stable", "stable"));

        var report = await ReportLoader.LoadAsync(dataSource, Rollout, now.AddSeconds(1), CancellationToken.None);

        var quality = report.Quality!;
        Assert.Equal(new long[] { 0, 0, 0, 1, 2 }, quality.Stable.ScoreCounts);
        Assert.Equal((4L, 3L, 3L, 1L, 0L), (quality.Stable.Samples, quality.Stable.Judged, quality.Stable.Passed, quality.Stable.Unparseable, quality.Stable.Unjudged));
        Assert.Equal(new long[] { 1, 1, 0, 0, 1 }, quality.Canary.ScoreCounts);
        Assert.Equal((5L, 3L, 1L, 1L, 1L), (quality.Canary.Samples, quality.Canary.Judged, quality.Canary.Passed, quality.Canary.JudgeFailed, quality.Canary.Unjudged));
        Assert.Equal(8.0 / 3, quality.Canary.MeanScore, 9);
        // Pairs from the canary's side: two stable-preferred in both orders (loss), one canary in both (win), an
        // order-dependent one and a tie in both (ties); four of five orders consistent.
        Assert.Equal(new PairedSummary(Wins: 1, Ties: 2, Losses: 2, OrderConsistent: 4, Unparseable: 0, OtherFailed: 0, JudgeFailed: 0), quality.Pairs);
        var canaryWins = Assert.Single(quality.WinRates!.Canary);
        var stableWins = Assert.Single(quality.WinRates.Stable);
        Assert.Equal((0.2, 0.4), (canaryWins.Rate, stableWins.Rate));
        Assert.Equal(["Wrong refund policy.", "Misses the <b>question</b>.", "Judged 4."], quality.Lowest.Take(3).Select(a => a.Reason));
        Assert.Equal(6, quality.Lowest.Count);

        var html = ReportRenderer.Render(report);
        Assert.Contains("<h2 id=\"quality\">Quality of sampled answers</h2>", html, StringComparison.Ordinal);
        Assert.Contains("Misses the &lt;b&gt;question&lt;/b&gt;.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("before the start", html, StringComparison.Ordinal);
        Assert.DoesNotContain("other rollout", html, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Report_NoSamples_NoQualitySection()
    {
        await using var dataSource = await _postgres.CreateDatabaseAsync();
        Assert.Equal(ExitCodes.Ok, await CliAsync(["start", "--skip-preflight", "--route", Rollout, "--stable", "v1", "--canary", "v2", "--database", dataSource.ConnectionString]));

        var report = await ReportLoader.LoadAsync(dataSource, Rollout, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Null(report.Quality);
        Assert.DoesNotContain("id=\"quality", ReportRenderer.Render(report), StringComparison.Ordinal);
    }

    private static (string Outcome, short? Score, bool? Passed, string Reason) Judged(short score, bool passed, string? reason = null) =>
        ("judged", score, passed, reason ?? $"Judged {score}.");

    private static (string CanaryFirst, string StableFirst) Pair(string canaryFirst, string stableFirst) => (canaryFirst, stableFirst);

    private static async Task SampleAsync(
        NpgsqlDataSource dataSource,
        string rollout,
        string arm,
        DateTimeOffset sampledAt,
        (string Outcome, short? Score, bool? Passed, string Reason)? judgement,
        (string CanaryFirst, string StableFirst)? pair)
    {
        var id = Guid.NewGuid();
        await using (var sample = dataSource.CreateCommand("""
            INSERT INTO quality_samples (sample_id, rollout, subset, arm, bucket, sidecar_id, sampled_at, status, finish_reason,
                input_tokens, output_tokens, refusal, incomplete, request_body, request_truncated, answer, answer_truncated)
            VALUES ($1, $2, $3, $3, 7, 'sidecar-0', $4, 200, 'stop', 7, 3, false, false, '{"messages":[]}', false, 'an answer', false)
            """))
        {
            sample.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
            sample.Parameters.Add(new NpgsqlParameter<string> { TypedValue = rollout });
            sample.Parameters.Add(new NpgsqlParameter<string> { TypedValue = arm });
            sample.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = sampledAt });
            await sample.ExecuteNonQueryAsync();
        }

        if (judgement is { } j)
        {
            await using var judged = dataSource.CreateCommand("""
                INSERT INTO quality_judgements (sample_id, rollout, arm, judged_at, judge_model, outcome, score, passed, reason)
                VALUES ($1, $2, $3, now(), 'judge', $4, $5, $6, $7)
                """);
            judged.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
            judged.Parameters.Add(new NpgsqlParameter<string> { TypedValue = rollout });
            judged.Parameters.Add(new NpgsqlParameter<string> { TypedValue = arm });
            judged.Parameters.Add(new NpgsqlParameter<string> { TypedValue = j.Outcome });
            judged.Parameters.Add(new NpgsqlParameter { Value = (object?)j.Score ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Smallint });
            judged.Parameters.Add(new NpgsqlParameter { Value = (object?)j.Passed ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Boolean });
            judged.Parameters.Add(new NpgsqlParameter<string> { TypedValue = j.Reason });
            await judged.ExecuteNonQueryAsync();
        }

        if (pair is { } p)
        {
            // An order-dependent verdict is a tie; otherwise the version preferred in both orders decides.
            var result = p.CanaryFirst != p.StableFirst ? "tie" : p.CanaryFirst switch { "canary" => "win", "stable" => "loss", _ => "tie" };
            await using var paired = dataSource.CreateCommand("""
                INSERT INTO quality_pairs (sample_id, rollout, arm, paired_at, judge_model, outcome, canary_first, stable_first, result, reason)
                VALUES ($1, $2, $3, now(), 'judge', 'decided', $4, $5, $6, 'compared')
                """);
            paired.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
            paired.Parameters.Add(new NpgsqlParameter<string> { TypedValue = rollout });
            paired.Parameters.Add(new NpgsqlParameter<string> { TypedValue = arm });
            paired.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.CanaryFirst });
            paired.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.StableFirst });
            paired.Parameters.Add(new NpgsqlParameter<string> { TypedValue = result });
            await paired.ExecuteNonQueryAsync();
        }
    }

    private static async Task<int> CliAsync(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await AnalyzerCli.RunAsync(args, new CliOutput(stdout, stderr));
        Assert.True(code == ExitCodes.Ok, $"{string.Join(' ', args)}: exit {code}\n{stdout}\n{stderr}");
        return code;
    }
}
