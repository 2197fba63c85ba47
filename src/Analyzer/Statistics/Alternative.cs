namespace Canary.Analyzer.Statistics;

/// <summary>Direction of the alternative hypothesis of a one-sided test.</summary>
internal enum Alternative
{
    /// <summary>H1: the parameter is greater than its null value.</summary>
    Greater,

    /// <summary>H1: the parameter is less than its null value.</summary>
    Less,
}
