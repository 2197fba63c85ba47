using System.Text;
using Canary.Analyzer.Preflight;
using Npgsql;

namespace Canary.Analyzer.Quality;

/// <summary>
/// Judge calibration in the preflight: every answered case that has expectations is graded by the judge with the
/// rubric, exactly as a live sample would be (the same prompt, no version named), and the judge's pass is compared
/// with the case's pass by its expectations. The test set thus doubles as a calibration set: its agreement rate says
/// how far the judge's verdicts on live traffic can be trusted. Calls run under the judge's concurrency, pacing,
/// retries and daily spend cap; with a database their cost is added to the day's judge spend.
/// </summary>
internal sealed class JudgeCalibrator
{
    private readonly JudgeOptions _options;
    private readonly JudgeClient _client;
    private readonly NpgsqlDataSource? _dataSource;
    private readonly TimeProvider _time;

    public JudgeCalibrator(JudgeOptions options, JudgeClient client, NpgsqlDataSource? dataSource, TimeProvider time)
    {
        _options = options;
        _client = client;
        _dataSource = dataSource;
        _time = time;
    }

    public static JudgeCalibrator Create(JudgeOptions options, HttpClient http, NpgsqlDataSource? dataSource, TimeProvider time) =>
        new(options, new JudgeClient(http, options, new RequestPacer(options.RequestsPerMinute, time), time), dataSource, time);

    public async Task<JudgeCalibration> CalibrateAsync(IReadOnlyList<CaseResult> stable, IReadOnlyList<CaseResult> canary, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stable);
        ArgumentNullException.ThrowIfNull(canary);
        var day = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        var store = _dataSource is null ? null : new JudgementStore(_dataSource);
        if (store is not null)
        {
            await store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        }

        var ledger = new SpendLedger(day, _options.DailySpendCapUsd, store is null ? 0 : await store.SpentOnAsync(day, cancellationToken).ConfigureAwait(false));
        var cases = stable.Select(r => ("stable", r)).Concat(canary.Select(r => ("canary", r)))
            .Where(c => c.r.Call.Answer is not null && c.r.Case.Expect.Count > 0)
            .ToList();
        var outcomes = new Outcome[cases.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, cases.Count),
            new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = cancellationToken },
            async (index, ct) => outcomes[index] = await JudgeAsync(cases[index].r, ledger, ct).ConfigureAwait(false)).ConfigureAwait(false);

        var calls = outcomes.Count(o => o.Called);
        if (store is not null && calls > 0)
        {
            await store.AddSpendAsync(day, ledger.SpentThisRunUsd, calls, cancellationToken).ConfigureAwait(false);
        }

        var disagreements = new List<CalibrationDisagreement>();
        string? lastProblem = null;
        var total = 0;
        var agreed = 0;
        for (var i = 0; i < cases.Count; i++)
        {
            var (version, result) = cases[i];
            if (outcomes[i].Verdict is not { } verdict)
            {
                lastProblem = outcomes[i].Problem;
                continue;
            }

            total++;
            if (verdict.Passed == result.Passed)
            {
                agreed++;
            }
            else
            {
                disagreements.Add(new CalibrationDisagreement(version, result.Case.Id, result.Case.LineNumber, result.Passed, verdict.Passed, verdict.Score, verdict.Reason));
            }
        }

        return new JudgeCalibration
        {
            JudgeModel = _options.Model,
            Total = total,
            Agreed = agreed,
            Unjudged = cases.Count - total,
            LastProblem = lastProblem,
            CostUsd = ledger.SpentThisRunUsd,
            Disagreements = disagreements,
        };
    }

    private async Task<Outcome> JudgeAsync(CaseResult result, SpendLedger ledger, CancellationToken cancellationToken)
    {
        if (!ledger.TryStartCall())
        {
            return new Outcome(null, "daily spend cap reached", Called: false);
        }

        var user = JudgePrompt.User(Transcript(result.Case), requestTruncated: false, result.Call.Answer!.Text, answerTruncated: false);
        var call = await _client.SendAsync(JudgeRequestBody.Create(_options.Model, _options.MaxOutputTokens, JudgePrompt.System(_options.Rubric), user), cancellationToken).ConfigureAwait(false);
        ledger.Add(_options.Prices.Cost(call.InputTokens, call.OutputTokens));
        if (call.Reply is not { } reply)
        {
            return new Outcome(null, call.Failure, Called: true);
        }

        var (verdict, problem) = JudgeVerdictParser.Parse(reply);
        return new Outcome(verdict, problem, Called: true);
    }

    /// <summary>The case's conversation as the judge reads a live request's: "role: text" lines.</summary>
    internal static string Transcript(TestCase testCase)
    {
        var text = new StringBuilder();
        if (testCase.System is { Length: > 0 } system)
        {
            text.Append("system: ").Append(system).Append('\n');
        }

        foreach (var message in testCase.Messages)
        {
            text.Append(message.Role).Append(": ").Append(message.Content).Append('\n');
        }

        return text.ToString().TrimEnd();
    }

    private sealed record Outcome(JudgeVerdict? Verdict, string? Problem, bool Called);
}
