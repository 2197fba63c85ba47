using System.Text;

namespace Canary.Demo.LiveView;

/// <summary>
/// Shows frames: on a terminal that can redraw, each frame replaces the last (cursor home, clear); otherwise (TERM=dumb,
/// output to a file or pipe, or --plain) new decisions and a summary line every few seconds are appended.
/// </summary>
internal sealed class Terminal(TextWriter output, bool redraw, TimeProvider time)
{
    private static readonly TimeSpan SummaryEvery = TimeSpan.FromSeconds(5);
    private readonly TextWriter _output = output;
    private readonly bool _redraw = redraw;
    private readonly TimeProvider _time = time;
    private int _decisionsShown;
    private long _lastSummary;

    public static bool CanRedraw(bool plainRequested) =>
        !plainRequested && !Console.IsOutputRedirected
        && Environment.GetEnvironmentVariable("TERM") is { Length: > 0 } term && term != "dumb";

    public void Show(ViewState state, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (_redraw)
        {
            var frame = new StringBuilder("\e[H\e[J");
            var width = Console.IsOutputRedirected ? 120 : Math.Max(60, Console.WindowWidth);
            foreach (var line in LiveViewRenderer.Render(state, width))
            {
                frame.Append(line).Append('\n');
            }

            _output.Write(frame.ToString());
            _output.Flush();
            return;
        }

        for (; _decisionsShown < state.Decisions.Count; _decisionsShown++)
        {
            _output.WriteLine(LiveViewRenderer.Decision(state.Decisions[_decisionsShown]).TrimStart());
        }

        if (force || _lastSummary == 0 || _time.GetElapsedTime(_lastSummary) >= SummaryEvery)
        {
            _lastSummary = _time.GetTimestamp();
            _output.WriteLine(LiveViewRenderer.Summary(state));
        }
    }

    /// <summary>Writes a line below the view (redraw mode) or in order (append mode).</summary>
    public void Line(string text) => _output.WriteLine(text);
}
