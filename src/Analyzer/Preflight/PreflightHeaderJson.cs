namespace Canary.Analyzer.Preflight;

/// <summary>An extra request header the preflight sent to a version (the mesh's subset header).</summary>
internal sealed record PreflightHeaderJson(string Name, string Value);
