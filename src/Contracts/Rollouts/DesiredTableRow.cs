namespace Canary.Contracts.Rollouts;

/// <summary>What <see cref="DesiredTableStore.ReadAsync"/> found: the table, or every reason it could not be used.</summary>
public sealed record DesiredTableRow(RolloutTable? Table, long Generation, DateTimeOffset UpdatedAt, IReadOnlyList<string> Errors);
