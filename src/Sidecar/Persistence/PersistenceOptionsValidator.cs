using Microsoft.Extensions.Options;

namespace Canary.Sidecar.Persistence;

/// <summary>Rejects unusable <see cref="PersistenceOptions"/> at startup, reporting every problem at once.</summary>
internal sealed class PersistenceOptionsValidator : IValidateOptions<PersistenceOptions>
{
    public ValidateOptionsResult Validate(string? name, PersistenceOptions options)
    {
        List<string>? errors = null;
        if (string.IsNullOrWhiteSpace(options.SidecarId))
        {
            (errors ??= []).Add("Canary:SidecarId must not be empty.");
        }

        var flushIntervalValid = options.FlushInterval >= TimeSpan.FromMilliseconds(100) && options.FlushInterval <= TimeSpan.FromHours(1);
        if (!flushIntervalValid)
        {
            (errors ??= []).Add("Canary:Telemetry:FlushInterval must be between 100 ms and 1 h.");
        }

        // Compared with a valid flush interval only: a wrong one is reported once, above.
        if ((flushIntervalValid && options.ArmIdleTimeout < options.FlushInterval) || options.ArmIdleTimeout <= TimeSpan.Zero || options.ArmIdleTimeout > TimeSpan.FromDays(1))
        {
            (errors ??= []).Add("Canary:Telemetry:ArmIdleTimeout must be at least Canary:Telemetry:FlushInterval (idleness is seen one interval at a time) and at most 1 day.");
        }

        if (options.QueueDuration < TimeSpan.Zero || options.QueueDuration / options.FlushInterval > 100_000)
        {
            (errors ??= []).Add("Canary:Telemetry:QueueDuration must be non-negative and at most 100000 flush intervals.");
        }

        if (options.InitialRetryDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.InitialRetryDelay)
        {
            (errors ??= []).Add("Canary:Telemetry:InitialRetryDelay must be positive and at most MaxRetryDelay.");
        }

        return errors is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
