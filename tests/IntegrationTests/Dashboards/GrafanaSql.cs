using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Canary.IntegrationTests.Dashboards;

/// <summary>
/// Expands a dashboard's SQL the way Grafana does before its PostgreSQL data source runs it: the dashboard's template
/// variables first (the frontend; a single-valued variable is inserted with its single quotes doubled), then the SQL
/// data sources' global substitutions (<c>$__interval_ms</c>, <c>$__interval</c>, <c>$__unixEpochFrom()</c>,
/// <c>$__unixEpochTo()</c>), then the PostgreSQL macro engine's <c>$__name(arguments)</c> macros, with their expansions
/// as Grafana's PostgreSQL data source writes them (time bounds in RFC 3339 with trailing zeros of the fraction
/// dropped, groups as <c>floor(extract(epoch from column)/seconds)*seconds</c>). A macro Grafana does not know, or a
/// variable left over, is an error, as it would be in Grafana.
/// </summary>
internal static partial class GrafanaSql
{
    public static string Expand(string sql, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, IReadOnlyDictionary<string, string> variables)
    {
        var text = TemplateVariable().Replace(sql, match =>
        {
            var name = match.Groups["a"].Success ? match.Groups["a"].Value : match.Groups["b"].Success ? match.Groups["b"].Value : match.Groups["c"].Value;
            return variables.TryGetValue(name, out var value) ? value.Replace("'", "''", StringComparison.Ordinal) : match.Value;
        });

        text = text.Replace("$__interval_ms", ((long)interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("$__interval", FormatInterval(interval), StringComparison.Ordinal)
            .Replace("$__unixEpochFrom()", from.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("$__unixEpochTo()", to.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

        var source = text;
        text = Macro().Replace(text, match =>
        {
            var name = match.Groups[1].Value;
            // Grafana's pre-5.3 rule: $__timeGroup directly followed by a comma also gets AS "time".
            if (name == "__timeGroup")
            {
                var end = source.IndexOf(match.Value, StringComparison.Ordinal) + match.Value.Length;
                if (end < source.Length && source[end] == ',')
                {
                    name = "__timeGroupAlias";
                }
            }

            var args = match.Groups[2].Value.Split(',').Select(a => a.Trim(' ')).ToArray();
            return Evaluate(name, args, from, to);
        });

        var left = Leftover().Match(text);
        return left.Success ? throw new InvalidOperationException($"\"{left.Value}\" was not expanded in: {text}") : text;
    }

    /// <summary>Grafana's interval text: the largest whole unit (y, d, h, m, s, ms).</summary>
    public static string FormatInterval(TimeSpan interval)
    {
        var day = TimeSpan.FromDays(1);
        var year = TimeSpan.FromDays(365);
        return interval >= year ? $"{interval.Ticks / year.Ticks}y"
            : interval >= day ? $"{interval.Ticks / day.Ticks}d"
            : interval >= TimeSpan.FromHours(1) ? $"{interval.Ticks / TimeSpan.TicksPerHour}h"
            : interval >= TimeSpan.FromMinutes(1) ? $"{interval.Ticks / TimeSpan.TicksPerMinute}m"
            : interval >= TimeSpan.FromSeconds(1) ? $"{interval.Ticks / TimeSpan.TicksPerSecond}s"
            : interval >= TimeSpan.FromMilliseconds(1) ? $"{interval.Ticks / TimeSpan.TicksPerMillisecond}ms"
            : "1ms";
    }

    /// <summary>Go's time.RFC3339Nano for a UTC instant: the fraction without trailing zeros, none when zero.</summary>
    public static string Rfc3339Nano(DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        var text = new StringBuilder(utc.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
        var fraction = (utc.Ticks % TimeSpan.TicksPerSecond).ToString("D7", CultureInfo.InvariantCulture).TrimEnd('0');
        if (fraction.Length > 0)
        {
            text.Append('.').Append(fraction);
        }

        return text.Append('Z').ToString();
    }

    private static string Evaluate(string name, string[] args, DateTimeOffset from, DateTimeOffset to)
    {
        string Column() => args.Length > 0 && args[0].Length > 0 ? args[0] : throw new InvalidOperationException($"missing time column argument for macro {name}");
        return name switch
        {
            "__time" => $"{Column()} AS \"time\"",
            "__timeEpoch" => $"extract(epoch from {Column()}) as \"time\"",
            "__timeFilter" => $"{Column()} BETWEEN '{Rfc3339Nano(from)}' AND '{Rfc3339Nano(to)}'",
            "__timeFrom" => $"'{Rfc3339Nano(from)}'",
            "__timeTo" => $"'{Rfc3339Nano(to)}'",
            "__timeGroup" => TimeGroup(name, args),
            "__timeGroupAlias" => TimeGroup(name, args) + " AS \"time\"",
            "__unixEpochFilter" => $"{Column()} >= {from.ToUnixTimeSeconds()} AND {Column()} <= {to.ToUnixTimeSeconds()}",
            _ => throw new InvalidOperationException($"unknown macro \"{name}\""),
        };
    }

    private static string TimeGroup(string name, string[] args)
    {
        if (args.Length < 2)
        {
            throw new InvalidOperationException($"macro {name} needs time column and interval and optional fill value");
        }

        var seconds = ParseInterval(args[1].Trim('\'')).TotalSeconds.ToString("R", CultureInfo.InvariantCulture);
        return $"floor(extract(epoch from {args[0]})/{seconds})*{seconds}";
    }

    private static TimeSpan ParseInterval(string text)
    {
        var match = IntervalText().Match(text);
        if (!match.Success)
        {
            throw new InvalidOperationException($"error parsing interval {text}");
        }

        var n = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            "d" => TimeSpan.FromDays(n),
            "w" => TimeSpan.FromDays(7 * n),
            _ => TimeSpan.FromDays(365 * n),
        };
    }

    [GeneratedRegex(@"\$\{(?<a>[A-Za-z0-9_]+)\}|\$(?<b>[A-Za-z0-9_]+)\b|\[\[(?<c>[A-Za-z0-9_]+)\]\]")]
    private static partial Regex TemplateVariable();

    [GeneratedRegex(@"\$([_a-zA-Z0-9]+)\(([^\)]*)\)")]
    private static partial Regex Macro();

    [GeneratedRegex(@"\$\{?[A-Za-z_][A-Za-z0-9_]*|\[\[[A-Za-z0-9_]+\]\]")]
    private static partial Regex Leftover();

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d|w|y)$")]
    private static partial Regex IntervalText();
}
