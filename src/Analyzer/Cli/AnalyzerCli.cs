using System.CommandLine;
using Canary.Analyzer.Configuration;

namespace Canary.Analyzer.Cli;

/// <summary>
/// The analyzer's command line: separates <c>--Canary:...</c> settings from the command's arguments, builds the one
/// configuration (environment, then those settings), builds the command tree and maps parse errors to
/// <see cref="ExitCodes.Usage"/>.
/// </summary>
internal static class AnalyzerCli
{
    public static RootCommand Build(CommandContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var root = new RootCommand(
            "canary-analyzer: compares canary with stable from the sidecars' telemetry, decides, and moves the weights. "
            + "Settings come from Canary__* environment variables or --Canary:Section:Key=value arguments (README: Analyzer configuration).");
        foreach (var command in RolloutCommands.Create(context))
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(PreflightCommand.Create(context));
        root.Subcommands.Add(ReportCommand.Create(context));
        root.Subcommands.Add(ReplayCommand.Create(context));
        root.Subcommands.Add(DiscoverCommand.Create(context));
        root.Subcommands.Add(MeshWeightCommand.Create(context));
        root.Subcommands.Add(PurgeSamplesCommand.Create(context));
        root.Subcommands.Add(JudgeCommand.Create(context));
        return root;
    }

    public static Task<int> RunAsync(string[] args, CliOutput output, CancellationToken cancellationToken = default) =>
        RunAsync(args, output, CliEnvironment.Process(), cancellationToken);

    public static async Task<int> RunAsync(string[] args, CliOutput output, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(environment);
        var arguments = ConfigurationArguments.Split(args);
        var configuration = AnalyzerConfiguration.Build(environment.Variables, arguments.Settings);
        var parse = Build(new CommandContext(output, configuration, environment.Time, arguments.Errors)).Parse(arguments.Command);
        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
        {
            foreach (var error in parse.Errors)
            {
                output.Error.WriteLine($"canary-analyzer: {error.Message}");
            }

            output.Error.WriteLine("Run 'canary-analyzer --help' (or '<command> --help') for usage.");
            return ExitCodes.Usage;
        }

        var config = new InvocationConfiguration
        {
            Output = output.Out,
            Error = output.Error,
            // serve runs in a generic host whose console lifetime handles SIGTERM and Ctrl+C: it drains alerts for as
            // long as their timeout allows, where System.CommandLine would give up after its own short grace period.
            ProcessTerminationTimeout = parse.CommandResult.Command.Name == RolloutCommands.ServeCommandName ? null : new InvocationConfiguration().ProcessTerminationTimeout,
        };
        return await parse.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
    }
}
