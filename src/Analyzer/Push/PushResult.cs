using Canary.Analyzer.Discovery;

namespace Canary.Analyzer.Push;

/// <summary>What one sidecar answered to a push.</summary>
internal sealed record PushResult(SidecarEndpoint Sidecar, bool Acknowledged, long? AppliedGeneration, string? Error, TimeSpan Latency);
