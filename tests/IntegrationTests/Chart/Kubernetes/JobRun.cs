namespace Canary.IntegrationTests.Chart.Kubernetes;

/// <summary>One finished pod of a Job: when it was scheduled, its attempt, exit code and output.</summary>
internal sealed record JobRun(string Job, DateTime ScheduledAt, int Attempt, int ExitCode, string Output, string Error)
{
    public override string ToString() => $"{Job} (scheduled {ScheduledAt:HH:mm:ss}, attempt {Attempt}): exit {ExitCode}\n{Output}{Error}";
}
