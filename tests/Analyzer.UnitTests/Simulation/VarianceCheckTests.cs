using System.Globalization;
using Canary.Analyzer.Statistics;
using Canary.Contracts.Telemetry;
using Xunit.Abstractions;

namespace Canary.Analyzer.UnitTests.Simulation;

public sealed class VarianceCheckTests(ITestOutputHelper output)
{
    [FullSimulationFact]
    [Trait("Category", "FullSimulation")]
    public void JackknifeAgainstRandomization()
    {
        string E(string name, string fallback) => Environment.GetEnvironmentVariable(name) ?? fallback;
        double D(string name, double fallback) => double.Parse(E(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var users = (int)D("SIM_USERS", 5000);
        var top = D("SIM_TOP", 0.17);
        var sigma = D("SIM_ES", 0.3);
        var weight = (int)D("SIM_W", 500);
        var requests = D("SIM_N", 1_700_000);
        var p = D("SIM_P", 0.01);
        var salts = (int)D("SIM_SALTS", 2000);
        var random = new SimulationRandom(7);
        var s = UserPopulation.ZipfExponent(users, top);
        var rate = new double[users];
        var mult = new double[users];
        double total = 0;
        for (var u = 0; u < users; u++)
        {
            rate[u] = Math.Pow(u + 1, -s);
            total += rate[u];
            mult[u] = Math.Exp((sigma * StandardNormal.Quantile(Math.Max(1e-300, random.NextDouble()))) - (sigma * sigma / 2));
        }

        var z = new List<double>();
        var logRatios = new List<double>();
        var jk = new List<double>();
        for (var salt = 0; salt < salts; salt++)
        {
            var cx = new double[32];
            var cn = new double[32];
            var sx = new double[32];
            var sn = new double[32];
            for (var u = 0; u < users; u++)
            {
                var bucket = (int)(random.NextUInt64() % 10000);
                var n = PoissonSampler.Next(random, requests * rate[u] / total);
                var x = PoissonSampler.Next(random, n * p * mult[u]);
                var g = UserGroups.Of(bucket);
                if (bucket < weight)
                {
                    cx[g] += x;
                    cn[g] += n;
                }
                else
                {
                    sx[g] += x;
                    sn[g] += n;
                }
            }

            var c = new GroupedRatio(cx, cn);
            var st = new GroupedRatio(sx, sn);
            var lr = Math.Log(c.Ratio / st.Ratio);
            var v = (c.JackknifeVariance() / (c.Ratio * c.Ratio)) + (st.JackknifeVariance() / (st.Ratio * st.Ratio));
            logRatios.Add(lr);
            jk.Add(Math.Sqrt(v));
            z.Add(lr / Math.Sqrt(v));
        }

        var mean = logRatios.Average();
        var sd = Math.Sqrt(logRatios.Select(x => (x - mean) * (x - mean)).Sum() / (logRatios.Count - 1));
        jk.Sort();
        output.WriteLine($"users {users} top {top} σ {sigma} weight {weight}: true sd of ln ratio {sd:0.0000} (mean {mean:0.0000}); jackknife sd median {jk[jk.Count / 2]:0.0000} mean {jk.Average():0.0000}");
        foreach (var q in new[] { 1.96, 2.576, 3.29, 3.89 })
        {
            output.WriteLine($"  P(z > {q}) = {z.Count(x => x > q) / (double)z.Count:0.0000}  P(z < -{q}) = {z.Count(x => x < -q) / (double)z.Count:0.0000}  normal {StandardNormal.Survival(q):0.0000}");
        }
    }
}
