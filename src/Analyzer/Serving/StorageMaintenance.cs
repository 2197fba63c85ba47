using Canary.Analyzer.Quality;
using Canary.Analyzer.Storage;
using Npgsql;

namespace Canary.Analyzer.Serving;

/// <summary>
/// After acting (<c>run-once</c>, and each tick of <c>serve</c>): merge closed intervals into five-minute slices and
/// hourly rows and drop raw rows past retention, so the next analysis reads few rows whatever the fleet size. Best
/// effort: it never changes a run's outcome or exit code.
/// </summary>
internal sealed class StorageMaintenance : IStorageMaintenance
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly StorageMaintenanceOptions _options = new();

    public StorageMaintenance(NpgsqlDataSource dataSource, TimeProvider time, TextWriter output, TextWriter error)
    {
        _dataSource = dataSource;
        _time = time;
        _out = output;
        _error = error;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            var compacted = await new CompactionJob(_dataSource, _time, _options).RunAsync(cancellationToken).ConfigureAwait(false);
            var deleted = await new RetentionJob(_dataSource, _time, _options).RunAsync(cancellationToken).ConfigureAwait(false);
            if (compacted > 0 || deleted > 0)
            {
                _out.WriteLine($"storage: {compacted} hour(s) compacted, {deleted} raw row(s) past retention deleted");
            }

            var samples = await QualitySampleStore.DeleteOlderThanAsync(_dataSource, _time.GetUtcNow() - _options.QualitySampleRetention, cancellationToken).ConfigureAwait(false);
            if (samples > 0)
            {
                _out.WriteLine($"storage: {samples} quality sample(s) past retention deleted");
            }
        }
        catch (NpgsqlException e)
        {
            _error.WriteLine($"canary-analyzer: storage maintenance skipped ({e.Message}); the next run retries");
        }
    }
}
