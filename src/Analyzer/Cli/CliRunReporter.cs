using Canary.Analyzer.Rollouts;
using Canary.Analyzer.Serving;

namespace Canary.Analyzer.Cli;

/// <summary>Prints what <c>serve</c>'s runs did, as <c>run-once</c> prints its one run.</summary>
internal sealed class CliRunReporter(CliOutput output, TextWriter log) : IRunReporter
{
    public void Ran(RunOutcome outcome) => RunOutcomeWriter.Write(outcome, output);

    public void Failed(Exception exception) => log.WriteLine($"canary-analyzer serve: {exception.Message}");
}
