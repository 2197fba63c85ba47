namespace Canary.Demo.Hosting;

/// <summary>
/// The demo's side of <c>./demo.sh --proxy</c>'s start-up: the sidecar's proxy needs the fake backends' URLs at
/// start, and the backends live in this process. So the demo writes <c>backends</c> (lines <c>stable=URL</c>,
/// <c>canary=URL</c>) into the shared directory, and demo.sh answers with <c>proxy</c>: the proxy's URL, the sidecar
/// list and the control token the analyzer needs (lines <c>url=</c>, <c>sidecars=</c>, <c>token=</c>), written to a
/// temporary name and renamed, so it is read whole.
/// </summary>
internal static class ProxyHandshake
{
    public static async Task<Uri> ExchangeAsync(string directory, Uri stable, Uri canary, TimeProvider time, CancellationToken cancellationToken)
    {
        var backends = Path.Combine(directory, "backends");
        await File.WriteAllTextAsync(backends + ".tmp", $"stable={stable.ToString().TrimEnd('/')}\ncanary={canary.ToString().TrimEnd('/')}\n", cancellationToken).ConfigureAwait(false);
        File.Move(backends + ".tmp", backends, overwrite: true);
        var answer = Path.Combine(directory, "proxy");
        while (!File.Exists(answer))
        {
            // demo.sh starts the sidecar meanwhile (a second or two); it ends this process if the sidecar fails.
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
        }

        var values = (await File.ReadAllLinesAsync(answer, cancellationToken).ConfigureAwait(false))
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
        // The analyzer runs as this process's child and finds the sidecar through its environment.
        Environment.SetEnvironmentVariable("CANARY_SIDECARS", values["sidecars"]);
        Environment.SetEnvironmentVariable("CANARY_CONTROL_TOKEN", values["token"]);
        return new Uri(values["url"]);
    }
}
