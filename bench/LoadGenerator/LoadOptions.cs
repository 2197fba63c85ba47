using System.Globalization;

namespace Canary.LoadGenerator;

/// <summary>Command-line settings of one load run.</summary>
internal sealed record LoadOptions
{
    public string Target { get; init; } = "http://127.0.0.1:50051";

    public string? MetricsUrl { get; init; }

    public string Label { get; init; } = "target";

    public int Connections { get; init; } = 4;

    /// <summary>Streams in flight at once, spread over the connections.</summary>
    public int Concurrency { get; init; } = 256;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>"closed" (as fast as answers come back) or "open" (fixed arrival rate).</summary>
    public string Mode { get; init; } = "closed";

    /// <summary>Streams per second in open-loop mode.</summary>
    public double Rate { get; init; } = 5000;

    public int BodyChunks { get; init; }

    public int Users { get; init; } = 10_000;

    /// <summary>Hold each stream open this long after its last message (long LLM responses hold streams for minutes).</summary>
    public TimeSpan Hold { get; init; } = TimeSpan.Zero;

    /// <summary>Pause before each response body chunk: a slow LLM response keeps its stream open between tokens.</summary>
    public TimeSpan ChunkInterval { get; init; } = TimeSpan.Zero;

    /// <summary>Spread the first streams of a closed-loop run over this long instead of opening them all at once.</summary>
    public TimeSpan RampUp { get; init; } = TimeSpan.Zero;

    public string Authority { get; init; } = "chat.example.internal";

    /// <summary>End each stream with a half-close and wait for the server's trailers, instead of Envoy's default of a
    /// half-close followed at once by a reset.</summary>
    public bool GracefulEnd { get; init; }

    /// <summary>Write the gRPC-framed headers-only request body for h2load to this file and exit.</summary>
    public string? H2loadBody { get; init; }

    public string? JsonOutput { get; init; }

    /// <summary>"extproc" (Envoy-like ext_proc streams) or "chat" (OpenAI chat-completion requests over HTTP, for the proxy mode).</summary>
    public string Api { get; init; } = "extproc";

    /// <summary>Chat: ask for a streamed answer (SSE with usage) instead of one JSON.</summary>
    public bool Stream { get; init; }

    /// <summary>Chat: HTTP/2 by prior knowledge over <see cref="Connections"/> connections instead of HTTP/1.1 keep-alive.</summary>
    public bool Http2 { get; init; }

    public string Path { get; init; } = "/v1/chat/completions";

    /// <summary>Chat: the upstream's metrics, read with the target's so its CPU per request shows the machine's noise.</summary>
    public string? UpstreamMetricsUrl { get; init; }

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--graceful-end" or "--stream" or "--http2")
            {
                options = args[i] switch
                {
                    "--stream" => options with { Stream = true },
                    "--http2" => options with { Http2 = true },
                    _ => options with { GracefulEnd = true },
                };
                continue;
            }

            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--target" => options with { Target = value },
                "--metrics" => options with { MetricsUrl = value },
                "--label" => options with { Label = value },
                "--connections" => options with { Connections = int.Parse(value, CultureInfo.InvariantCulture) },
                "--concurrency" => options with { Concurrency = int.Parse(value, CultureInfo.InvariantCulture) },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) },
                "--warmup" => options with { Warmup = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) },
                "--mode" => options with { Mode = value },
                "--rate" => options with { Rate = double.Parse(value, CultureInfo.InvariantCulture) },
                "--chunks" => options with { BodyChunks = int.Parse(value, CultureInfo.InvariantCulture) },
                "--users" => options with { Users = int.Parse(value, CultureInfo.InvariantCulture) },
                "--hold" => options with { Hold = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) },
                "--chunk-interval" => options with { ChunkInterval = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) },
                "--ramp-up" => options with { RampUp = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) },
                "--authority" => options with { Authority = value },
                "--h2load-body" => options with { H2loadBody = value },
                "--json" => options with { JsonOutput = value },
                "--api" => options with { Api = value },
                "--path" => options with { Path = value },
                "--upstream-metrics" => options with { UpstreamMetricsUrl = value },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
            i++;
        }

        if (options.Mode is not ("closed" or "open"))
        {
            throw new ArgumentException("--mode must be closed or open");
        }

        if (options.Api is not ("extproc" or "chat"))
        {
            throw new ArgumentException("--api must be extproc or chat");
        }

        if (options.Api == "chat" && options.Mode != "closed")
        {
            throw new ArgumentException("--api chat runs closed loop only");
        }

        return options;
    }
}
