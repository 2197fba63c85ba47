using System.Globalization;
using System.Text.RegularExpressions;

namespace Canary.TestSupport.Processes;

/// <summary>
/// The ports a sidecar bound, read from its ready log line ("Sidecar … ready: ext_proc on 127.0.0.1:41234, control on
/// …, metrics on …"). Tests start every sidecar on port 0 and learn its ports from that line, so no test guesses a free
/// port and races another process for it.
/// </summary>
public sealed partial record SidecarPorts(int ExtProc, int Control, int Metrics)
{
    /// <summary>Text that the ready line contains, to wait for in a process's output.</summary>
    public const string ReadyMarker = " ready: ext_proc on ";

    /// <summary>The ports of the first ready line in <paramref name="output"/>, or null when there is none yet.</summary>
    public static SidecarPorts? Find(string output)
    {
        var match = ReadyLine().Match(output);
        return match.Success
            ? new SidecarPorts(Port(match, "extproc"), Port(match, "control"), Port(match, "metrics"))
            : null;
    }

    private static int Port(Match match, string group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@" ready: ext_proc on \S+:(?<extproc>\d+), control on \S+:(?<control>\d+), metrics on \S+:(?<metrics>\d+)")]
    private static partial Regex ReadyLine();
}
