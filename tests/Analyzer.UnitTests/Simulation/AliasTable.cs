namespace Canary.Analyzer.UnitTests.Simulation;

/// <summary>
/// Draws an index with probability proportional to its weight in O(1) per draw (Vose's alias method, 1991, "A linear
/// algorithm for generating random numbers with a given distribution", IEEE TSE 17(9)): one uniform picks a column and
/// decides between the column and its alias.
/// </summary>
internal sealed class AliasTable
{
    private readonly double[] _keep;
    private readonly int[] _alias;

    public AliasTable(ReadOnlySpan<double> weights)
    {
        if (weights.IsEmpty)
        {
            throw new ArgumentException("Needs at least one weight.", nameof(weights));
        }

        var n = weights.Length;
        double total = 0;
        foreach (var w in weights)
        {
            if (!(w >= 0) || double.IsInfinity(w))
            {
                throw new ArgumentException("Weights must be finite and not negative.", nameof(weights));
            }

            total += w;
        }

        if (!(total > 0))
        {
            throw new ArgumentException("Weights must not all be zero.", nameof(weights));
        }

        _keep = new double[n];
        _alias = new int[n];
        var scaled = new double[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (var i = 0; i < n; i++)
        {
            scaled[i] = weights[i] * n / total;
            (scaled[i] < 1 ? small : large).Push(i);
        }

        while (small.Count > 0 && large.Count > 0)
        {
            var s = small.Pop();
            var l = large.Pop();
            _keep[s] = scaled[s];
            _alias[s] = l;
            scaled[l] = scaled[l] + scaled[s] - 1;
            (scaled[l] < 1 ? small : large).Push(l);
        }

        // What is left holds probability 1 up to rounding.
        while (large.Count > 0)
        {
            _keep[large.Pop()] = 1;
        }

        while (small.Count > 0)
        {
            _keep[small.Pop()] = 1;
        }
    }

    public int Count => _keep.Length;

    public int Sample(SimulationRandom random)
    {
        var u = random.NextDouble() * _keep.Length;
        var column = Math.Min((int)u, _keep.Length - 1);
        return u - column < _keep[column] ? column : _alias[column];
    }
}
