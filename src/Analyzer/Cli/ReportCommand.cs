using System.CommandLine;
using Canary.Analyzer.Reports;

namespace Canary.Analyzer.Cli;

/// <summary><c>report</c>: writes a rollout's self-contained HTML report, from the database or the built-in sample.</summary>
internal static class ReportCommand
{
    public static Command Create(CommandContext context)
    {
        var rollout = new Option<string>("--rollout") { Description = "Rollout to report on (read from the database)." };
        var sample = new Option<bool>("--sample") { Description = "Render the built-in example report instead of reading the database." };
        var file = new Option<FileInfo>("--output", "-o") { Description = "HTML file to write; default <rollout>.html in the current directory." };
        var command = new Command("report", "Write one self-contained HTML page for a rollout: the stage-1 preflight, the requests not part of the comparison, latency CDFs, rates with intervals, stages, decisions.")
        {
            rollout,
            sample,
            file,
        };
        var connection = new ConnectionOptions(command);
        context.SetAction(command, connection, parse => !parse.GetValue(sample) && parse.GetValue(rollout) is { Length: > 0 }, (parse, errors) =>
        {
            if (!parse.GetValue(sample) && parse.GetValue(rollout) is not { Length: > 0 })
            {
                errors.Add("pass --rollout <name> (read from the database) or --sample");
            }

            return async (session, cancellationToken) =>
            {
                var report = parse.GetValue(sample)
                    ? SampleReport.Create()
                    : await ReportLoader.LoadAsync(session.DataSource, parse.GetValue(rollout)!, session.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                return await WriteAsync(report, parse.GetValue(file), session.Output, cancellationToken).ConfigureAwait(false);
            };
        });
        return command;
    }

    private static async Task<int> WriteAsync(RolloutReport report, FileInfo? file, CliOutput output, CancellationToken cancellationToken)
    {
        var path = file?.FullName ?? Path.GetFullPath($"{FileName(report.Rollout)}.html");
        await File.WriteAllTextAsync(path, ReportRenderer.Render(report), cancellationToken).ConfigureAwait(false);
        output.Out.WriteLine(path);
        return ExitCodes.Ok;
    }

    /// <summary>Route keys may hold characters a file name cannot (a path separator in a model name).</summary>
    private static string FileName(string rollout)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var chars = rollout.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Array.IndexOf(invalid, chars[i]) >= 0 ? '_' : chars[i];
        }

        return new string(chars);
    }
}
