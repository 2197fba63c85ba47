using System.Text.Json.Serialization;

namespace Canary.Analyzer.Alerts;

/// <summary>Webhook bodies, source-generated (no reflection, AOT-safe): property names are the C# names in camelCase.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(GenericAlertJson))]
[JsonSerializable(typeof(SlackMessageJson))]
internal sealed partial class AlertsJsonContext : JsonSerializerContext;
