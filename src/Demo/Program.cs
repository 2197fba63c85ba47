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
// The first Ctrl-C stops the run cleanly (backends, driver, child analyzer); demo.sh's trap removes the rest.
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
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
