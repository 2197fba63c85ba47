namespace Canary.Analyzer.Statistics;

/// <summary>
/// A ratio estimator R = Σx_g / Σn_g over the user groups of one arm (events per request, spend per request, values
/// below a quantile per value), with the delete-a-group jackknife variance that treats the groups, not the requests, as
/// the independent units.
/// </summary>
/// <remarks>
/// Users are the randomization unit, so requests of one user are correlated and a few heavy users can carry much of an
/// arm's traffic. Each group is a fixed set of users (see <c>UserGroups</c>), so group totals are independent and the
/// jackknife over groups, Var_J = (G−1)/G · Σ_g (R_(−g) − R̄)² with R_(−g) = (X − x_g)/(N − n_g), is a consistent
/// variance of R̂ that accounts for any within-user correlation (Quenouille 1956; Kott 2001, "The delete-a-group
/// jackknife", J. Official Statistics 17(4); Wolter 2007, "Introduction to Variance Estimation", ch. 4). It is the
/// leave-one-cluster-out (CR3-like) form, so a group that dominates the arm moves its own leave-out estimate far and the
/// variance grows with it, instead of hiding the group behind its small residual as the linearized form would. Totals
/// must be summed per group over the whole window before this is computed: per-interval variances do not add up.
/// </remarks>
internal readonly struct GroupedRatio
{
    private readonly double[] _numerators;
    private readonly double[] _denominators;

    /// <summary>Wraps per-group totals without copying; the arrays must not change while this value is in use.</summary>
    public GroupedRatio(double[] numerators, double[] denominators)
    {
        ArgumentNullException.ThrowIfNull(numerators);
        ArgumentNullException.ThrowIfNull(denominators);
        if (numerators.Length != denominators.Length)
        {
            throw new ArgumentException("Numerators and denominators need one entry per group.", nameof(denominators));
        }

        double x = 0;
        double n = 0;
        double sumOfSquares = 0;
        var groups = 0;
        for (var g = 0; g < denominators.Length; g++)
        {
            if (denominators[g] < 0 || double.IsNaN(denominators[g]) || double.IsNaN(numerators[g]))
            {
                throw new ArgumentException("Group denominators must be non-negative and totals must be numbers.", nameof(denominators));
            }

            x += numerators[g];
            n += denominators[g];
            sumOfSquares += denominators[g] * denominators[g];
            if (denominators[g] > 0)
            {
                groups++;
            }
        }

        _numerators = numerators;
        _denominators = denominators;
        Numerator = x;
        Denominator = n;
        NonEmptyGroups = groups;
        EffectiveGroups = sumOfSquares > 0 ? n * n / sumOfSquares : 0;
    }

    /// <summary>Σx over the groups.</summary>
    public double Numerator { get; }

    /// <summary>Σn over the groups.</summary>
    public double Denominator { get; }

    /// <summary>Groups with a positive denominator: the units the variance is estimated from.</summary>
    public int NonEmptyGroups { get; }

    /// <summary>
    /// Kish's effective number of groups, (Σn)² / Σn²: equal to the non-empty groups when they are of one size, and close
    /// to 1 when one group (one heavy user) carries the arm.
    /// </summary>
    public double EffectiveGroups { get; }

    /// <summary>R̂ = Σx / Σn; NaN when Σn is 0.</summary>
    public double Ratio => Denominator > 0 ? Numerator / Denominator : double.NaN;

    /// <summary>
    /// Delete-a-group jackknife variance of R̂ over the non-empty groups; +∞ with fewer than two of them (one unit gives
    /// no spread to estimate a variance from).
    /// </summary>
    public double JackknifeVariance()
    {
        if (NonEmptyGroups < 2)
        {
            return double.PositiveInfinity;
        }

        // Two passes: the leave-out means, then their spread. G is small (dozens), so recomputing beats storing.
        double mean = 0;
        for (var g = 0; g < _denominators.Length; g++)
        {
            if (_denominators[g] > 0)
            {
                mean += LeaveOut(g);
            }
        }

        mean /= NonEmptyGroups;
        double sum = 0;
        for (var g = 0; g < _denominators.Length; g++)
        {
            if (_denominators[g] > 0)
            {
                var d = LeaveOut(g) - mean;
                sum += d * d;
            }
        }

        return (NonEmptyGroups - 1) * sum / NonEmptyGroups;
    }

    private double LeaveOut(int group) => (Numerator - _numerators[group]) / (Denominator - _denominators[group]);
}
