using System.CommandLine;
using Canary.Analyzer.Reports;

namespace Canary.Analyzer.Cli;

/// <summary><c>report</c>: writes a rollout's self-contained HTML report (today only the built-in sample).</summary>
internal static class ReportCommand
{
    public static Command Create(CliOutput output)
    {
        var rollout = new Option<string>("--rollout") { Description = "Rollout to report on." };
        var sample = new Option<bool>("--sample") { Description = "Render the built-in example report instead of reading the database." };
        var file = new Option<FileInfo>("--output", "-o") { Description = "HTML file to write; default <rollout>.html in the current directory." };
        var command = new Command("report", "Write one self-contained HTML page for a rollout: latency CDFs, rates with intervals, stages, decisions.")
        {
            rollout,
            sample,
            file,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!parse.GetValue(sample))
            {
                output.Error.WriteLine("canary-analyzer report: reading a rollout from the database is not implemented yet; use --sample.");
                return ExitCodes.Usage;
            }

            var report = SampleReport.Create();
            var path = parse.GetValue(file)?.FullName ?? Path.GetFullPath($"{report.Rollout}.html");
            await File.WriteAllTextAsync(path, ReportRenderer.Render(report), cancellationToken).ConfigureAwait(false);
            output.Out.WriteLine(path);
            return ExitCodes.Ok;
        });
        return command;
    }
}
