namespace Canary.Analyzer.Serving;

/// <summary>The roll-up and retention pass after a run; <see cref="StorageMaintenance"/> against PostgreSQL.</summary>
internal interface IStorageMaintenance
{
    /// <summary>Best effort: a failure is reported and left for the next run, never thrown (but for cancellation).</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
