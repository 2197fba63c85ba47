namespace Canary.Analyzer.Cli;

/// <summary>What a command does once its settings and options are checked; returns the exit code.</summary>
internal delegate Task<int> CommandWork(AnalyzerSession session, CancellationToken cancellationToken);
