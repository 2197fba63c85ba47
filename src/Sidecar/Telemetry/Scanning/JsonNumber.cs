namespace Canary.Sidecar.Telemetry.Scanning;

/// <summary>A JSON number as the tokenizer saw it: its integer value when it is a plain integer that fits a long.</summary>
/// <param name="Value">The magnitude's digits as a long; meaningless unless <see cref="IsInt64"/>.</param>
/// <param name="IsNegative">A leading minus sign was present.</param>
/// <param name="IsInt64">No fraction or exponent, and the digits fit a long.</param>
internal readonly record struct JsonNumber(long Value, bool IsNegative, bool IsInt64);
