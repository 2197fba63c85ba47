using Canary.Analyzer.Kubernetes;
using Canary.Analyzer.MeshWeights;
using k8s.Exceptions;

namespace Canary.Analyzer.Cli;

/// <summary>Maps the known failure types of a command to a message on stderr and an exit code.</summary>
internal static class CommandFailures
{
    public static async Task<int> RunAsync(string command, CliOutput output, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (KubernetesApiException ex)
        {
            output.Error.WriteLine($"canary-analyzer {command}: {ex.Message}");
            return ex.Failure == KubernetesApiFailure.NotFound ? ExitCodes.NotFound : ExitCodes.DependencyFailed;
        }
        catch (Canary.Analyzer.Rollouts.RolloutNotFoundException ex)
        {
            output.Error.WriteLine($"canary-analyzer {command}: {ex.Message}");
            return ExitCodes.NotFound;
        }
        catch (Canary.Analyzer.Rollouts.LifecycleRefusedException ex)
        {
            output.Error.WriteLine($"canary-analyzer {command}: {ex.Message}; nothing was changed");
            return ExitCodes.Usage;
        }
        catch (Canary.Analyzer.Preflight.PreflightRequiredException ex)
        {
            output.Error.WriteLine($"canary-analyzer {command}: {ex.Message}");
            return ExitCodes.PreflightFailed;
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or System.Net.Sockets.SocketException)
        {
            // Nothing was written: the desired table, the lifecycle rows and the record share one transaction.
            output.Error.WriteLine($"canary-analyzer {command}: PostgreSQL is unavailable ({ex.Message}); nothing was changed, run again when it is back");
            return ExitCodes.DependencyFailed;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or MeshWeightException or KubeConfigException)
        {
            output.Error.WriteLine($"canary-analyzer {command}: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Last resort: a one-line message instead of a stack trace; the type name helps a bug report.
            output.Error.WriteLine($"canary-analyzer {command}: unexpected {ex.GetType().Name}: {ex.Message}");
            return ExitCodes.Error;
        }
    }
}
