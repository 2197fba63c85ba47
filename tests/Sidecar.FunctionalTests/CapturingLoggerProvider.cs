using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Canary.Sidecar.FunctionalTests;

/// <summary>
/// Keeps every log entry at or above <see cref="MinimumLevel"/> that reaches it, from any category, so a test can
/// assert the host logged none. It sits behind the host's own filters: what it sees is what the sidecar's console
/// would print at that level.
/// </summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLogEntry> _entries = new();

    public CapturingLoggerProvider(LogLevel minimumLevel) => MinimumLevel = minimumLevel;

    public LogLevel MinimumLevel { get; }

    public IReadOnlyCollection<CapturedLogEntry> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>A few entries after the first <paramref name="skip"/>, one a line, for an assertion's message.</summary>
    public string Describe(int skip = 0, int limit = 5) =>
        string.Join(Environment.NewLine, _entries.Skip(skip).Take(limit).Select(e => e.ToString()));

    private sealed class CapturingLogger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= provider.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider._entries.Enqueue(new CapturedLogEntry(category, logLevel, eventId, formatter(state, exception), exception));
            }
        }
    }
}
