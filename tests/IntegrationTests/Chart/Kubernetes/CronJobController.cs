using System.Runtime.Versioning;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Cronos;

namespace Canary.IntegrationTests.Chart.Kubernetes;

/// <summary>
/// The CronJob controller for one rendered CronJob: at every time its schedule names (standard five-field cron, in
/// spec.timeZone or UTC) it creates a Job named "&lt;cronjob&gt;-&lt;minutes since the epoch&gt;", unless
/// concurrencyPolicy Forbid and a Job is still running, or startingDeadlineSeconds has passed. A Job runs its pod
/// template until a pod exits 0 or backoffLimit retries are used (Kubernetes' 10 s back-off doubling), and stops a pod
/// at activeDeadlineSeconds.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class CronJobController : IAsyncDisposable
{
    private readonly JsonObject _cronJob;
    private readonly Kubelet _kubelet;
    private readonly ClusterObjects _cluster;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, RunningPod> _pods = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private int _active;

    public CronJobController(JsonObject cronJob, Kubelet kubelet, ClusterObjects cluster)
    {
        _cronJob = cronJob;
        _kubelet = kubelet;
        _cluster = cluster;
        _loop = Task.Run(LoopAsync);
    }

    public string Name => (string)_cronJob["metadata"]!["name"]!;

    public ConcurrentQueue<JobRun> Runs { get; } = new();

    /// <summary>Scheduled times skipped because a Job was still running (concurrencyPolicy Forbid).</summary>
    public ConcurrentQueue<DateTime> Skipped { get; } = new();

    private async Task LoopAsync()
    {
        var spec = _cronJob["spec"]!;
        var schedule = CronExpression.Parse((string)spec["schedule"]!, CronFormat.Standard);
        var zone = spec["timeZone"] is { } name ? TimeZoneInfo.FindSystemTimeZoneById((string)name!) : TimeZoneInfo.Utc;
        var forbid = (string?)spec["concurrencyPolicy"] == "Forbid";
        var deadline = (int?)spec["startingDeadlineSeconds"];
        while (!_stop.IsCancellationRequested)
        {
            var next = schedule.GetNextOccurrence(DateTime.UtcNow, zone) ?? throw new InvalidOperationException("the schedule never fires");
            try
            {
                // The controller's own timer, as in kube-controller-manager: it decides when a Job starts, never a verdict.
                await Task.Delay(next - DateTime.UtcNow, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (deadline is { } seconds && DateTime.UtcNow - next > TimeSpan.FromSeconds(seconds))
            {
                continue;
            }

            if (forbid && Volatile.Read(ref _active) > 0)
            {
                Skipped.Enqueue(next);
                continue;
            }

            Interlocked.Increment(ref _active);
            _ = Task.Run(async () =>
            {
                try
                {
                    await RunJobAsync(next);
                }
                finally
                {
                    Interlocked.Decrement(ref _active);
                }
            });
        }
    }

    private async Task RunJobAsync(DateTime scheduledAt)
    {
        var jobSpec = _cronJob["spec"]!["jobTemplate"]!["spec"]!;
        var job = $"{Name}-{new DateTimeOffset(scheduledAt).ToUnixTimeSeconds() / 60}";
        var backoffLimit = (int?)jobSpec["backoffLimit"] ?? 6;
        var activeDeadline = TimeSpan.FromSeconds((int?)jobSpec["activeDeadlineSeconds"] ?? 3600);
        var ns = (string)_cronJob["metadata"]!["namespace"]!;
        var template = jobSpec["template"]!.AsObject();
        for (var attempt = 0; attempt <= backoffLimit && !_stop.IsCancellationRequested; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(10 * (1 << (attempt - 1))), _stop.Token);
            }

            var run = await RunPodAsync(_kubelet, _cluster, $"{job}-{attempt.ToString(CultureInfo.InvariantCulture)}", ns, template, activeDeadline, _pods);
            Runs.Enqueue(run with { Job = job, ScheduledAt = scheduledAt, Attempt = attempt });
            if (run.ExitCode == 0)
            {
                return;
            }
        }
    }

    /// <summary>Runs a pod from <paramref name="template"/> to its end (a Job's pod, restartPolicy Never) and returns what it did.</summary>
    public static async Task<JobRun> RunPodAsync(Kubelet kubelet, ClusterObjects cluster, string name, string ns, JsonObject template, TimeSpan deadline, ConcurrentDictionary<string, RunningPod>? running = null)
    {
        var pod = kubelet.StartPod(name, ns, template);
        running?.TryAdd(name, pod);
        try
        {
            var container = Assert.Single(pod.Containers).Value;
            int code;
            try
            {
                code = await container.WaitForExitAsync(deadline);
            }
            catch (TimeoutException)
            {
                code = -1;
            }

            pod.Phase = code == 0 ? "Succeeded" : "Failed";
            return new JobRun(name, DateTime.UtcNow, 0, code, container.Output, container.Error);
        }
        finally
        {
            running?.TryRemove(name, out _);
            cluster.RemovePod(pod);
            await pod.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        foreach (var pod in _pods.Values)
        {
            foreach (var container in pod.Containers.Values)
            {
                await container.DisposeAsync();
            }
        }

        await Eventually.UntilAsync(() => Task.FromResult(Volatile.Read(ref _active)), static active => active == 0, $"{Name}: running Jobs to end", TimeSpan.FromMinutes(2));
        _stop.Dispose();
    }
}
