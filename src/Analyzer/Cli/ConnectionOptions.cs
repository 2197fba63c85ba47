using System.CommandLine;
using Canary.Analyzer.Configuration;

namespace Canary.Analyzer.Cli;

/// <summary>
/// The options of every database-backed command that override configuration: where PostgreSQL is, which sidecars to
/// push to (a static list instead of Kubernetes discovery), and the control token file.
/// </summary>
internal sealed class ConnectionOptions
{
    private readonly Option<string?> _database = new("--database")
    {
        Description = $"PostgreSQL connection string (default: $Canary__Database__ConnectionString, then ${AnalyzerSettingsReader.DatabaseUrlVariable}).",
    };

    private readonly Option<string[]> _sidecars = new("--sidecars")
    {
        Description = $"Sidecar control endpoints to push to, name=host:port or host:port (repeatable; default: ${AnalyzerSettingsReader.SidecarsVariable}, comma-separated).",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<string?> _tokenFile = new("--token-file")
    {
        Description = $"File holding the control API bearer token (default: $Canary__Control__TokenFile, then ${AnalyzerSettingsReader.ControlTokenVariable}).",
    };

    public ConnectionOptions(Command command)
    {
        command.Options.Add(_database);
        command.Options.Add(_sidecars);
        command.Options.Add(_tokenFile);
    }

    public CommandLineOverrides Read(ParseResult parse) => new()
    {
        Database = parse.GetValue(_database),
        Sidecars = parse.GetValue(_sidecars) ?? [],
        TokenFile = parse.GetValue(_tokenFile),
    };
}
