using System.Globalization;
using System.Net;
using Canary.BaselineServers;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// Usage:
//   canary-baseline-server floor|typical <port> [metrics-port]   ext_proc baselines (bench/run-load.sh)
//   canary-baseline-server yarp <port> <metrics-port> <upstream-url>   plain YARP forwarder (bench/run-proxy-overhead.sh)
//   canary-baseline-server upstream <port> <metrics-port> [sse-chunks]   fake OpenAI chat model (bench/run-proxy-overhead.sh)
//   --h2c (yarp and upstream): the main port speaks HTTP/2 alone, by prior knowledge, as the sidecar's cleartext proxy
//   port does for a client that opens with the HTTP/2 preface (bench/run-proxy-overhead.sh --http2).
// Port 0 lets the kernel pick; the line "Ready on 127.0.0.1:<port>, metrics on 127.0.0.1:<metrics-port>" names the
// ports as bound.
var h2c = args.Contains("--h2c");
args = Array.FindAll(args, a => a != "--h2c");
var mode = args.Length > 0 ? args[0] : "floor";
var port = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50061;
var metricsPort = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : port == 0 ? 0 : port + 1000;
var isHttpApi = mode is "yarp" or "upstream";
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
ListenOptions? mainListener = null, metricsListener = null;
builder.WebHost.ConfigureKestrel(kestrel =>
{
    // Same limits as the sidecar's listeners, so only the processing differs.
    kestrel.AddServerHeader = false;
    kestrel.Limits.Http2.MaxStreamsPerConnection = 10_000;
    kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
    kestrel.Limits.Http2.InitialStreamWindowSize = 1024 * 1024;
    kestrel.Limits.MaxRequestBodySize = null;

    // Without TLS, an HTTP/1.1-and-HTTP/2 listener serves HTTP/1.1 alone and answers the HTTP/2 preface with
    // HTTP_1_1_REQUIRED, so the HTTP API modes take HTTP/2 by prior knowledge only with --h2c, on a listener that speaks
    // nothing else (the sidecar's proxy port takes both: Proxy/PriorKnowledge). gRPC modes are HTTP/2 alone anyway.
    kestrel.Listen(IPAddress.Loopback, port, l =>
    {
        l.Protocols = isHttpApi && !h2c ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http2;
        mainListener = l;
    });
    kestrel.Listen(IPAddress.Loopback, metricsPort, l =>
    {
        l.Protocols = HttpProtocols.Http1;
        metricsListener = l;
    });
});
if (mode == "yarp")
{
    builder.Services.AddHttpForwarder();
}
else if (mode != "upstream")
{
    builder.Services.AddGrpc();
}

var app = builder.Build();
// Set once the listener is bound; callers wait for the ready line, so no request on the main port arrives before it.
var boundPort = 0;
switch (mode)
{
    case "typical":
        app.MapGrpcService<TypicalProcessor>();
        break;
    case "yarp":
        var forwarder = new PlainYarpForwarder(app.Services.GetRequiredService<Yarp.ReverseProxy.Forwarder.IHttpForwarder>(), args[3]);
        app.Use((context, next) => context.Connection.LocalPort == boundPort ? forwarder.ForwardAsync(context) : next(context));
        break;
    case "upstream":
        var upstream = new FakeChatUpstream(args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 8);
        app.Use((context, next) => context.Connection.LocalPort == boundPort ? upstream.AnswerAsync(context) : next(context));
        break;
    default:
        app.MapGrpcService<FloorProcessor>();
        break;
}

// The load harness reads allocation and GC figures of the server from here, as it does from the sidecar's /metrics.
app.MapGet("/metrics", () => $"process_allocated_bytes_total {GC.GetTotalAllocatedBytes()}\nprocess_cpu_seconds_total {Environment.CpuUsage.TotalTime.TotalSeconds.ToString(CultureInfo.InvariantCulture)}\ndotnet_gc_pause_seconds_total {GC.GetTotalPauseDuration().TotalSeconds}\n");
app.MapGet("/healthz", () => "ok");
app.Lifetime.ApplicationStarted.Register(() =>
{
    // Kestrel writes the kernel's pick back into the listener's endpoint when it binds port 0.
    boundPort = ((IPEndPoint)mainListener!.EndPoint).Port;
    Console.WriteLine($"Ready on 127.0.0.1:{boundPort}, metrics on 127.0.0.1:{((IPEndPoint)metricsListener!.EndPoint).Port}");
});
app.Run();
