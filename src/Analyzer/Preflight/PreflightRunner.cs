namespace Canary.Analyzer.Preflight;

/// <summary>
/// Sends every case to both versions with at most <see cref="ClientOptions.Concurrency"/> requests in flight (shared
/// by the two versions, so neither is measured under more load than the other) and judges each answer.
/// </summary>
internal sealed class PreflightRunner
{
    private readonly ModelClient _client;
    private readonly ClientOptions _options;

    public PreflightRunner(ModelClient client, ClientOptions options)
    {
        _client = client;
        _options = options;
    }

    public async Task<(CaseResult[] Stable, CaseResult[] Canary)> RunAsync(
        IReadOnlyList<TestCase> cases, ModelEndpoint stable, ModelEndpoint canary, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(Math.Max(1, _options.Concurrency));
        var stableResults = new CaseResult[cases.Count];
        var canaryResults = new CaseResult[cases.Count];
        var tasks = new List<Task>(cases.Count * 2);
        for (var i = 0; i < cases.Count; i++)
        {
            // Interleaved, so a slow phase of the run (or of the network) hits both versions alike.
            tasks.Add(RunOneAsync(gate, cases[i], stable, stableResults, i, cancellationToken));
            tasks.Add(RunOneAsync(gate, cases[i], canary, canaryResults, i, cancellationToken));
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        return (stableResults, canaryResults);
    }

    private async Task RunOneAsync(SemaphoreSlim gate, TestCase testCase, ModelEndpoint endpoint, CaseResult[] results, int index, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var call = await _client.SendAsync(endpoint, testCase, cancellationToken).ConfigureAwait(false);
            results[index] = Judge(testCase, endpoint, call);
        }
        finally
        {
            gate.Release();
        }
    }

    public static CaseResult Judge(TestCase testCase, ModelEndpoint endpoint, CallResult call)
    {
        if (call.Answer is not { } answer)
        {
            return new CaseResult { Case = testCase, Call = call };
        }

        var refused = RefusalDetector.IsRefusal(answer);
        return new CaseResult
        {
            Case = testCase,
            Call = call,
            Refused = refused,
            Failures = ExpectationChecker.Check(testCase.Expect, answer, refused),
            Cost = CostOf(endpoint, answer),
        };
    }

    private static double? CostOf(ModelEndpoint endpoint, ModelAnswer answer)
    {
        if (endpoint.InputPricePerMillion is not { } inputPrice || endpoint.OutputPricePerMillion is not { } outputPrice
            || answer.InputTokens is not { } input || answer.OutputTokens is not { } output)
        {
            return null;
        }

        return ((input * inputPrice) + (output * outputPrice)) / 1_000_000.0;
    }
}
