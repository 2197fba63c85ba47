namespace Canary.Analyzer.Statistics;

/// <summary>
/// One arm's variance of ln(estimate) two ways: as if its requests were independent, and from its user groups (the
/// delete-a-group jackknife), with the effective number of groups that carry its traffic (Kish: (Σn)²/Σn²).
/// </summary>
internal readonly record struct ArmLogVariance(double Independent, double Clustered, double EffectiveGroups);
