namespace Canary.Analyzer.Configuration;

/// <summary>The command options that override configuration: <c>--database</c>, <c>--sidecars</c>, <c>--token-file</c>.</summary>
internal sealed record CommandLineOverrides
{
    public static readonly CommandLineOverrides None = new();

    public string? Database { get; init; }

    public IReadOnlyList<string> Sidecars { get; init; } = [];

    public string? TokenFile { get; init; }
}
