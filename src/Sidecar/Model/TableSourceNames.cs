namespace Canary.Sidecar.Model;

/// <summary>Lower-case names of <see cref="TableSource"/> for logs and metric labels (no enum formatting, AOT-friendly).</summary>
internal static class TableSourceNames
{
    public static readonly TableSource[] All = [TableSource.None, TableSource.File, TableSource.Push, TableSource.Database, TableSource.Cache, TableSource.Tripwire];

    public static string Name(TableSource source) => source switch
    {
        TableSource.None => "none",
        TableSource.File => "file",
        TableSource.Push => "push",
        TableSource.Database => "database",
        TableSource.Cache => "cache",
        TableSource.Tripwire => "tripwire",
        _ => "unknown",
    };
}
