namespace Canary.Contracts.Telemetry.Storage;

/// <summary>
/// One counter of one arm summed over the rows of a time range: the total, how many rows there were and how many
/// carried per-group values, and those rows' per-group and bucket-set encodings, to be merged by the reader.
/// </summary>
public readonly record struct CounterSum(
    string Subset,
    string Counter,
    long Sum,
    long Rows,
    long RowsWithGroups,
    IReadOnlyList<byte[]> Groups,
    IReadOnlyList<byte[]> Buckets);
