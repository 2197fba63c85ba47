using System.Net;
using Canary.BaselineServers;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// Usage: canary-baseline-server floor|typical <port> [metrics-port]
var mode = args.Length > 0 ? args[0] : "floor";
var port = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50061;
var metricsPort = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : port + 1000;
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    // Same listener limits as the sidecar, so only the processing differs.
    kestrel.Limits.Http2.MaxStreamsPerConnection = 10_000;
    kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
    kestrel.Limits.Http2.InitialStreamWindowSize = 1024 * 1024;
    kestrel.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2);
    kestrel.Listen(IPAddress.Loopback, metricsPort, l => l.Protocols = HttpProtocols.Http1);
});
builder.Services.AddGrpc();
var app = builder.Build();
if (mode == "typical")
{
    app.MapGrpcService<TypicalProcessor>();
}
else
{
    app.MapGrpcService<FloorProcessor>();
}

// The load harness reads allocation and GC figures of the server from here, as it does from the sidecar's /metrics.
app.MapGet("/metrics", () => $"process_allocated_bytes_total {GC.GetTotalAllocatedBytes()}\nprocess_cpu_seconds_total {Environment.CpuUsage.TotalTime.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}\ndotnet_gc_pause_seconds_total {GC.GetTotalPauseDuration().TotalSeconds}\n");
app.MapGet("/healthz", () => "ok");
app.Run();
