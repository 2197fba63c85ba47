using System.CommandLine;
using Canary.Analyzer.Configuration;
using Microsoft.Extensions.Configuration;

namespace Canary.Analyzer.Cli;

/// <summary>
/// What every command shares: the configuration, the clock and the output, and one way to run: read the settings
/// (configuration under the command's overriding options) and check the command's own options into one list, print
/// every problem at once and exit with <see cref="ExitCodes.Usage"/> before anything is changed, or else run the
/// command's work with an <see cref="AnalyzerSession"/> and map its failures to exit codes.
/// </summary>
internal sealed class CommandContext
{
    private readonly IConfiguration _configuration;
    private readonly IReadOnlyList<string> _argumentErrors;

    /// <param name="output">Where commands write.</param>
    /// <param name="configuration">The one configuration (environment and <c>--Canary:...</c> arguments).</param>
    /// <param name="time">The commands' clock.</param>
    /// <param name="argumentErrors">Problems with the <c>--Canary:...</c> arguments themselves, reported with the rest.</param>
    public CommandContext(CliOutput output, IConfiguration configuration, TimeProvider time, IReadOnlyList<string> argumentErrors)
    {
        Output = output;
        Time = time;
        _configuration = configuration;
        _argumentErrors = argumentErrors;
    }

    public CliOutput Output { get; }

    public TimeProvider Time { get; }

    /// <param name="command">The command to give an action.</param>
    /// <param name="connection">Its overriding options, when it has them.</param>
    /// <param name="needsDatabase">Whether this invocation needs PostgreSQL (a missing one is then an error).</param>
    /// <param name="check">Checks the command's own options, adding every problem to the list, and returns its work.</param>
    public void SetAction(Command command, ConnectionOptions? connection, Func<ParseResult, bool> needsDatabase, Func<ParseResult, List<string>, CommandWork> check)
    {
        command.SetAction((parse, cancellationToken) => CommandFailures.RunAsync(command.Name, Output, async () =>
        {
            var errors = new List<string>(_argumentErrors);
            var settings = AnalyzerSettingsReader.Read(_configuration, connection?.Read(parse) ?? CommandLineOverrides.None, needsDatabase(parse), errors);
            var work = check(parse, errors);
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    Output.Error.WriteLine($"canary-analyzer {command.Name}: {error}");
                }

                return ExitCodes.Usage;
            }

            await using var session = new AnalyzerSession(settings, Time, Output);
            return await work(session, cancellationToken).ConfigureAwait(false);
        }));
    }

    /// <summary>A command that needs PostgreSQL on every invocation.</summary>
    public static bool Always(ParseResult parse) => true;

    /// <summary>A command that never needs PostgreSQL.</summary>
    public static bool Never(ParseResult parse) => false;
}
