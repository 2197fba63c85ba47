namespace Canary.Sidecar.Model;

/// <summary>Where the rollout table in force came from; shown in logs, /metrics and the control API.</summary>
internal enum TableSource
{
    /// <summary>No table yet: every request keeps its default (stable) route.</summary>
    None,

    /// <summary>The start-up file (<c>Canary:Routing:RolloutsFile</c>).</summary>
    File,

    /// <summary>Pushed through the control API.</summary>
    Push,

    /// <summary>The desired table in PostgreSQL.</summary>
    Database,

    /// <summary>The local cache file written whenever a table is applied.</summary>
    Cache,

    /// <summary>The local tripwire rolled a canary back.</summary>
    Tripwire,
}
