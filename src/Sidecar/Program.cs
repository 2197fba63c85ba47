using Canary.Sidecar.Hosting;

try
{
    var app = SidecarApplication.Build(args);
    await app.RunAsync().ConfigureAwait(false);
    return 0;
}
catch (ConfigurationErrorsException e)
{
    // Every configuration error at once, then a distinct exit code, so an operator fixes the file in one pass.
    await Console.Error.WriteLineAsync("canary-sidecar: " + e.Message).ConfigureAwait(false);
    return 2;
}
catch (Microsoft.Extensions.Options.OptionsValidationException e)
{
    await Console.Error.WriteLineAsync("canary-sidecar: invalid configuration:" + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", e.Failures)).ConfigureAwait(false);
    return 2;
}
