namespace Canary.Analyzer.Preflight;

/// <summary><c>start</c> was refused: there is no passing preflight for the rollout's versions and no explicit skip.</summary>
internal sealed class PreflightRequiredException(string message) : Exception(message);
