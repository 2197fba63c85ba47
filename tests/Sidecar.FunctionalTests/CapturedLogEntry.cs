using Microsoft.Extensions.Logging;

namespace Canary.Sidecar.FunctionalTests;

/// <summary>One log entry as <see cref="CapturingLoggerProvider"/> kept it.</summary>
internal sealed record CapturedLogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception)
{
    public override string ToString() =>
        $"{Level} {Category}[{EventId.Id}] {Message}{(Exception is null ? "" : $" ({Exception.GetType().Name}: {Exception.Message})")}";
}
