using System.CommandLine;

namespace Canary.Analyzer.Cli;

/// <summary>A subcommand whose options and help exist but whose action is not built yet; it exits with <see cref="ExitCodes.Usage"/>.</summary>
internal static class NotImplementedCommand
{
    public static Command Create(string name, string description, CliOutput output, params Option[] options)
    {
        var command = new Command(name, description);
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        command.SetAction(_ =>
        {
            output.Error.WriteLine($"canary-analyzer {name}: not implemented yet. Available now: discover, mesh-weight, report --sample.");
            return ExitCodes.Usage;
        });
        return command;
    }
}
