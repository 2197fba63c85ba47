using Canary.Contracts.Configuration;
using Canary.Contracts.Rollouts;

namespace Canary.Sidecar.Configuration;

/// <summary>
/// Validates the sidecar settings at start and lists every problem at once, including configuration keys that match
/// no setting (a misspelt key would otherwise be silently ignored and the default used).
/// </summary>
internal static class SidecarOptionsValidator
{
    private static readonly SettingKeyPatterns KnownKeys = new(
    [
        "SidecarId",
        "ExtProc:Port", "ExtProc:BindAddress", "ExtProc:MaxConcurrentStreams", "ExtProc:MaxMessageBytes",
        "Control:Port", "Control:BindAddress", "Control:TokenFile", "Control:Token", "Control:AllowUnauthenticated",
        "Control:TlsCertificateFile", "Control:TlsKeyFile", "Control:CacheFile",
        "Metrics:Port", "Metrics:BindAddress",
        "Routing:RouteKeyHeader", "Routing:UserKeyHeaders:*", "Routing:TenantHeader", "Routing:SubsetHeader",
        "Routing:RemoveSubsetHeaderOnUnmatched", "Routing:RolloutsFile", "Routing:RandomSeed",
        "Routing:FeedbackPath", "Routing:FeedbackRatingHeader", "Routing:ServedSubsetHeader",
        "Routing:UserKeyMetadata:Namespace", "Routing:UserKeyMetadata:Path", "Routing:TenantMetadata:Namespace",
        "Routing:TenantMetadata:Path", "Routing:AllowHeaderUserKey",
    ]);

    /// <summary>Keys of a metadata path; deeper paths than this are refused as a configuration mistake.</summary>
    public const int MaxMetadataPathKeys = 16;

    /// <param name="options">The bound settings.</param>
    /// <param name="configuredKeys">Every leaf key configured under <c>Canary</c>, relative to it.</param>
    /// <param name="featureSections">Subsections owned by features that validate their own keys (for example <c>Telemetry</c>).</param>
    public static List<string> Validate(SidecarOptions options, IEnumerable<string> configuredKeys, IReadOnlyCollection<string> featureSections)
    {
        var errors = new List<string>();
        foreach (var key in configuredKeys)
        {
            if (!IsKnown(key, featureSections))
            {
                errors.Add($"Canary:{key}: unknown setting");
            }
        }

        CheckPort(errors, "ExtProc:Port", options.ExtProc.Port);
        CheckPort(errors, "Control:Port", options.Control.Port);
        CheckPort(errors, "Metrics:Port", options.Metrics.Port);
        // Port 0 asks the kernel for a free port (each listener gets its own), so only fixed ports can clash.
        if (Clash(options.ExtProc.Port, options.Control.Port) || Clash(options.ExtProc.Port, options.Metrics.Port)
            || Clash(options.Control.Port, options.Metrics.Port))
        {
            errors.Add($"ports: ExtProc:Port ({options.ExtProc.Port}), Control:Port ({options.Control.Port}) and Metrics:Port ({options.Metrics.Port}) must all differ");
        }

        if (options.ExtProc.MaxConcurrentStreams is < 100 or > 1_000_000)
        {
            errors.Add($"Canary:ExtProc:MaxConcurrentStreams: must be between 100 and 1000000, was {options.ExtProc.MaxConcurrentStreams}");
        }

        if (options.ExtProc.MaxMessageBytes is < 64 * 1024 or > 256 * 1024 * 1024)
        {
            errors.Add($"Canary:ExtProc:MaxMessageBytes: must be between 65536 and 268435456, was {options.ExtProc.MaxMessageBytes}");
        }

        var routing = options.Routing;
        CheckHeaderName(errors, "Routing:RouteKeyHeader", routing.RouteKeyHeader);
        CheckHeaderName(errors, "Routing:SubsetHeader", routing.SubsetHeader);
        if (routing.SubsetHeader.StartsWith(':'))
        {
            errors.Add("Canary:Routing:SubsetHeader: must not be a pseudo-header");
        }

        CheckHeaderName(errors, "Routing:FeedbackRatingHeader", routing.FeedbackRatingHeader);
        if (routing.ServedSubsetHeader is not null)
        {
            CheckHeaderName(errors, "Routing:ServedSubsetHeader", routing.ServedSubsetHeader);
        }

        if (routing.FeedbackPath is not null && !routing.FeedbackPath.StartsWith('/'))
        {
            errors.Add($"Canary:Routing:FeedbackPath: \"{routing.FeedbackPath}\" must start with /");
        }

        if (routing.TenantHeader is not null)
        {
            CheckHeaderName(errors, "Routing:TenantHeader", routing.TenantHeader);
        }

        for (var i = 0; i < routing.UserKeyHeaders.Count; i++)
        {
            CheckHeaderName(errors, $"Routing:UserKeyHeaders:{i}", routing.UserKeyHeaders[i]);
        }

        if (routing.EffectiveUserKeyHeaders.Contains(routing.SubsetHeader)
            || routing.RouteKeyHeader == routing.SubsetHeader)
        {
            errors.Add("Canary:Routing:SubsetHeader: must not also be the route-key or a user-key header");
        }

        CheckMetadataKey(errors, "Routing:UserKeyMetadata", routing.UserKeyMetadata);
        CheckMetadataKey(errors, "Routing:TenantMetadata", routing.TenantMetadata);
        if (routing.AllowHeaderUserKey && !routing.UserKeyMetadata.IsConfigured && !routing.TenantMetadata.IsConfigured)
        {
            errors.Add("Canary:Routing:AllowHeaderUserKey: has no effect without Canary:Routing:UserKeyMetadata or Canary:Routing:TenantMetadata (headers are read anyway)");
        }

        if (routing.RolloutsFile is not null && !File.Exists(routing.RolloutsFile))
        {
            errors.Add($"Canary:Routing:RolloutsFile: file \"{routing.RolloutsFile}\" does not exist");
        }

        return errors;
    }

    private static bool IsKnown(string key, IReadOnlyCollection<string> featureSections)
    {
        foreach (var prefix in featureSections)
        {
            if (key.StartsWith(prefix + ":", StringComparison.OrdinalIgnoreCase) || key.Equals(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return KnownKeys.IsKnown(key);
    }

    private static void CheckPort(List<string> errors, string key, int port)
    {
        if (port is < 0 or > 65535)
        {
            errors.Add($"Canary:{key}: must be between 1 and 65535 (or 0 for a port the kernel picks, reported in the ready log line), was {port}");
        }
    }

    private static void CheckMetadataKey(List<string> errors, string key, MetadataKeyOptions source)
    {
        if (!source.IsConfigured)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(source.Namespace))
        {
            errors.Add($"Canary:{key}:Namespace: must name the dynamic metadata namespace (for example envoy.filters.http.jwt_authn) when {key}:Path is set");
        }

        if (string.IsNullOrWhiteSpace(source.Path))
        {
            errors.Add($"Canary:{key}:Path: must give the dot-separated keys into the namespace (for example jwt_payload.sub) when {key}:Namespace is set");
            return;
        }

        var keys = source.Path.Split('.');
        if (Array.Exists(keys, k => k.Length == 0 || k.Trim().Length != k.Length))
        {
            errors.Add($"Canary:{key}:Path: \"{source.Path}\" has an empty key or one with surrounding spaces (keys are separated by single dots)");
        }
        else if (keys.Length > MaxMetadataPathKeys)
        {
            errors.Add($"Canary:{key}:Path: \"{source.Path}\" has {keys.Length} keys, at most {MaxMetadataPathKeys} are allowed");
        }
    }

    private static bool Clash(int port, int other) => port != 0 && port == other;

    private static void CheckHeaderName(List<string> errors, string key, string? name)
    {
        if (string.IsNullOrEmpty(name) || !HeaderNames.IsValidLowerCaseName(name))
        {
            errors.Add($"Canary:{key}: \"{name}\" is not a lower-case HTTP header name (Envoy sends header names in lower case)");
        }
    }
}
