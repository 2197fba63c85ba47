namespace Canary.Contracts.Telemetry;

/// <summary>The fixed part of a <see cref="HistogramCodec"/> encoding.</summary>
public readonly record struct EncodedHistogramHeader(
    long HighestTrackableValue,
    int SignificantDigits,
    long TotalCount,
    long Sum,
    long Min,
    long Max,
    int NonEmptySlots);
