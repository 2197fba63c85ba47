using System.CommandLine;

namespace Canary.Analyzer.Cli;

/// <summary>The analyzer's command line: builds the command tree and maps parse errors to <see cref="ExitCodes.Usage"/>.</summary>
internal static class AnalyzerCli
{
    public static RootCommand Build(CliOutput output)
    {
        var root = new RootCommand("canary-analyzer: compares canary with stable from the sidecars' telemetry, decides, and moves the weights.");
        foreach (var command in RolloutCommands.Create(output))
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(PreflightCommand.Create(output));
        root.Subcommands.Add(ReportCommand.Create(output));
        root.Subcommands.Add(ReplayCommand.Create(output));
        root.Subcommands.Add(DiscoverCommand.Create(output));
        root.Subcommands.Add(MeshWeightCommand.Create(output));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliOutput output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var parse = Build(output).Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
        {
            foreach (var error in parse.Errors)
            {
                output.Error.WriteLine($"canary-analyzer: {error.Message}");
            }

            output.Error.WriteLine("Run 'canary-analyzer --help' (or '<command> --help') for usage.");
            return ExitCodes.Usage;
        }

        var config = new InvocationConfiguration { Output = output.Out, Error = output.Error };
        return await parse.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
    }
}
