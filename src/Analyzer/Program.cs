using Canary.Analyzer.Cli;

return await AnalyzerCli.RunAsync(args, new CliOutput(Console.Out, Console.Error)).ConfigureAwait(false);
