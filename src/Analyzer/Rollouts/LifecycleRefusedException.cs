namespace Canary.Analyzer.Rollouts;

/// <summary>
/// A manual action that does not fit where the rollout stands (promote past the last stage, pause a testers-only
/// stage, ...). Thrown before anything is written, so the command can say "nothing was changed".
/// </summary>
internal sealed class LifecycleRefusedException(string message) : Exception(message);
