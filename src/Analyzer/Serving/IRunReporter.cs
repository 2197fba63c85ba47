using Canary.Analyzer.Rollouts;

namespace Canary.Analyzer.Serving;

/// <summary>What <see cref="AnalysisLoop"/> tells the operator; the command line prints it.</summary>
internal interface IRunReporter
{
    /// <summary>A run finished: its decisions and pushes.</summary>
    void Ran(RunOutcome outcome);

    /// <summary>A run failed and is retried at the next tick.</summary>
    void Failed(Exception exception);
}
