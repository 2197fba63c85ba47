namespace Canary.Analyzer.Configuration;

/// <summary>
/// Separates settings given on the command line (<c>--Canary:Section:Key=value</c> or <c>--Canary:Section:Key value</c>,
/// anywhere after the command name) from the command's own arguments, which System.CommandLine parses.
/// </summary>
internal sealed record ConfigurationArguments(string[] Command, string[] Settings, IReadOnlyList<string> Errors)
{
    public const string Prefix = "--Canary:";

    public static ConfigurationArguments Split(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var command = new List<string>(args.Count);
        var settings = new List<string>();
        var errors = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                command.Add(arg);
                continue;
            }

            if (arg.Contains('=', StringComparison.Ordinal))
            {
                settings.Add(arg);
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                settings.Add(arg + "=" + args[++i]);
            }
            else
            {
                errors.Add($"{arg}: no value (give {arg}=value)");
            }
        }

        return new ConfigurationArguments([.. command], [.. settings], errors);
    }
}
