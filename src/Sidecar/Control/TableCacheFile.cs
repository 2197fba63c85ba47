using Canary.Contracts.Rollouts;
using Canary.Sidecar.Model;

namespace Canary.Sidecar.Control;

/// <summary>
/// The local copy of the last applied table (<c>Canary:Control:CacheFile</c>), in the same JSON form as the rollouts
/// file. Written atomically (temporary file, flushed, then renamed over the old one) after every applied table, so a
/// crash leaves the old or the new table, never half of one. Read at start, before PostgreSQL is asked.
/// </summary>
internal sealed class TableCacheFile
{
    private readonly Lock _writeLock = new();
    private readonly RolloutTableHolder _tables;
    private readonly ILogger _logger;
    private long _writtenGeneration = -1;
    private RolloutTableModel? _written;

    public TableCacheFile(string path, RolloutTableHolder tables, ILogger logger)
    {
        Path = path;
        _tables = tables;
        _logger = logger;
    }

    public string Path { get; }

    /// <summary>The cached table, or null when there is none or it is unusable (logged).</summary>
    public RolloutTable? Load()
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        try
        {
            var table = RolloutTableJson.Parse(File.ReadAllBytes(Path), out var errors);
            if (table is null)
            {
                ControlLog.CacheInvalid(_logger, Path, string.Join("; ", errors));
            }

            return table;
        }
        catch (IOException e)
        {
            ControlLog.CacheInvalid(_logger, Path, e.Message);
            return null;
        }
    }

    /// <summary>Writes the table in force (the latest one, whichever event asked) unless it is already written.</summary>
    public void WriteCurrent()
    {
        lock (_writeLock)
        {
            var snapshot = _tables.Current;
            if (ReferenceEquals(snapshot, _written) || snapshot.Source is TableSource.None || (snapshot.Source == TableSource.Cache && _writtenGeneration < 0))
            {
                return;
            }

            var temporary = Path + ".tmp";
            try
            {
                var bytes = RolloutTableJson.Write(snapshot.Table, indented: true);
                using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    stream.Write(bytes);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temporary, Path, overwrite: true);
                _written = snapshot;
                _writtenGeneration = snapshot.Generation;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ControlLog.CacheWriteFailed(_logger, Path, e.Message);
            }
        }
    }
}
