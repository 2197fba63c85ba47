using System.Globalization;
using System.Text;

namespace Canary.Contracts.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format (version 0.0.4) for the sidecar's and the analyzer's <c>/metrics</c>:
/// one <c># HELP</c>/<c># TYPE</c> header per family, samples with escaped label values, values in round-trip form.
/// Runs per scrape, off the request path. Written by hand rather than with a client library: both programs are Native
/// AOT, their metrics are a fixed set read from their own counters, and this is all of the format they use.
/// </summary>
public sealed class PrometheusTextWriter
{
    /// <summary>The <c>Content-Type</c> of a response holding this text.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new(4096);
    private string? _lastFamily;

    /// <summary>Writes a family's header unless the previous sample was of the same family; alone, it announces a
    /// family that has no sample yet (a gauge with no value).</summary>
    public void Family(string name, string type, string help)
    {
        if (_lastFamily != name)
        {
            _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            _lastFamily = name;
        }
    }

    /// <summary>One sample, preceded by its family's header when the family changes.</summary>
    public void Metric(string name, string type, string help, double value, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        Family(name, type, help);
        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    _text.Append(',');
                }

                _text.Append(labels[i].Name).Append("=\"");
                AppendEscaped(labels[i].Value);
                _text.Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>A histogram family: cumulative bucket counts (the last is +Inf, so also the total count) and the sum.</summary>
    public void Histogram(string name, string help, ReadOnlySpan<double> upperBounds, ReadOnlySpan<long> cumulativeCounts, double sum)
    {
        Family(name, "histogram", help);
        for (var i = 0; i < cumulativeCounts.Length; i++)
        {
            _text.Append(name).Append("_bucket{le=\"");
            _text.Append(i < upperBounds.Length ? upperBounds[i].ToString("R", CultureInfo.InvariantCulture) : "+Inf");
            _text.Append("\"} ").Append(cumulativeCounts[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        _text.Append(name).Append("_sum ").Append(sum.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        _text.Append(name).Append("_count ").Append(cumulativeCounts[^1].ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    public override string ToString() => _text.ToString();

    private void AppendEscaped(string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    _text.Append("\\\\");
                    break;
                case '"':
                    _text.Append("\\\"");
                    break;
                case '\n':
                    _text.Append("\\n");
                    break;
                default:
                    _text.Append(c);
                    break;
            }
        }
    }
}
