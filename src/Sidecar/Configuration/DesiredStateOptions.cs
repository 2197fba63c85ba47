namespace Canary.Sidecar.Configuration;

/// <summary>Where the sidecar reads the desired rollout table (<c>Canary:Database</c>), and how often.</summary>
internal sealed class DesiredStateOptions
{
    public const string SectionName = "Database";

    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(15);

    /// <summary>PostgreSQL connection string; unset means no desired-table polling.</summary>
    public string? ConnectionString { get; set; }

    public TimeSpan PollInterval { get; set; } = DefaultPollInterval;
}
