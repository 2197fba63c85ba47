using System.Runtime.InteropServices;
using Canary.Demo.Hosting;
using Canary.Demo.LiveView;

DemoOptions options;
try
{
    options = DemoOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine("canary-demo: " + e.Message);
    return 2;
}

using var cancel = new CancellationTokenSource();
// Ctrl-C or demo.sh's SIGTERM stops the run in order (driver, backends, a running analyzer); demo.sh's trap then stops
// the sidecar and PostgreSQL and removes the temp directory.
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
var terminal = new Terminal(Console.Out, Terminal.CanRedraw(options.Plain), TimeProvider.System);
try
{
    return await new DemoRunner(options, terminal, TimeProvider.System).RunAsync(cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("canary-demo: interrupted");
    return 130;
}

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}
