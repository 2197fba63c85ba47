namespace Canary.Analyzer.Cli;

/// <summary>
/// Every exit code the analyzer returns, in one place (docs/runbook.md lists the same table). A CronJob and scripts
/// branch on these, so existing values never change meaning.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Success: the command did what was asked, or there was nothing to do.</summary>
    public const int Ok = 0;

    /// <summary>Unexpected failure (a bug or an unclassified error); the message says what.</summary>
    public const int Error = 1;

    /// <summary>Bad command line or configuration, or a manual action that does not fit where the rollout stands (promote a
    /// testers-only stage, resume a running rollout); nothing was changed.</summary>
    public const int Usage = 2;

    /// <summary>A rollback was decided and performed (all sidecars acknowledged weight 0).</summary>
    public const int RollbackPerformed = 3;

    /// <summary>The desired table was recorded but not every sidecar acknowledged it; the next run retries.</summary>
    public const int PartialPush = 4;

    /// <summary>A dependency (Kubernetes API, PostgreSQL) was unreachable, refused, or answered garbage; nothing was changed.</summary>
    public const int DependencyFailed = 5;

    /// <summary>The named rollout (or VirtualService) does not exist.</summary>
    public const int NotFound = 6;

    /// <summary>A preflight judged the canary and it failed a gate; or <c>start</c> was refused for want of a passing preflight.</summary>
    public const int PreflightFailed = 7;

    /// <summary>A preflight could not judge the canary: some case got no answer (unreachable, 401, timeout, malformed).</summary>
    public const int PreflightIncomplete = 8;
}
