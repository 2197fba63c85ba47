namespace Canary.Contracts.Pricing;

/// <summary>One row of a price table: a model name, or a name prefix ending in <c>*</c>, and its price.</summary>
public readonly record struct PriceTableEntry(string Model, ModelPrice Price);
