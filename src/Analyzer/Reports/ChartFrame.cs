using System.Globalization;
using System.Text;

namespace Canary.Analyzer.Reports;

/// <summary>The plot area of one SVG chart: maps data to pixels and draws axes, grid and legend.</summary>
internal sealed class ChartFrame
{
    public const int Width = 600;
    public const int Height = 300;
    private const int Left = 64;
    private const int Right = 16;
    private const int Top = 28;
    private const int Bottom = 44;

    private readonly double _xMin;
    private readonly double _xMax;
    private readonly double _yMax;

    public ChartFrame(double xMin, double xMax, double yMax)
    {
        _xMin = xMin;
        _xMax = xMax > xMin ? xMax : xMin + 1;
        _yMax = yMax > 0 ? yMax : 1;
    }

    public static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public double X(double value) => Left + ((value - _xMin) / (_xMax - _xMin) * (Width - Left - Right));

    public double Y(double value) => Height - Bottom - (Math.Clamp(value, 0, _yMax) / _yMax * (Height - Top - Bottom));

    public void Open(StringBuilder svg, string label)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Html.Escape(label)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{Width - Left - Right}\" height=\"{Height - Top - Bottom}\" fill=\"#fafbfc\" stroke=\"#d0d7de\"/>");
    }

    public static void Close(StringBuilder svg) => svg.Append("</svg>");

    public void YAxis(StringBuilder svg, double step, Func<double, string> format)
    {
        for (var v = 0.0; v <= _yMax + (step / 2); v += step)
        {
            var y = Number(Y(v));
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#e6e9ed\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y}\" text-anchor=\"end\" dominant-baseline=\"middle\" class=\"tick\">{Html.Escape(format(v))}</text>");
        }
    }

    public void XTick(StringBuilder svg, double value, string label)
    {
        var x = Number(X(value));
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x}\" x2=\"{x}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom + 5}\" stroke=\"#57606a\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\" class=\"tick\">{Html.Escape(label)}</text>");
    }

    public static void XLabel(StringBuilder svg, string label) =>
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{(Width + Left) / 2}\" y=\"{Height - 6}\" text-anchor=\"middle\" class=\"axis\">{Html.Escape(label)}</text>");

    public static void Legend(StringBuilder svg)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"8\" width=\"12\" height=\"12\" fill=\"{ReportColors.Stable}\"/><text x=\"{Left + 16}\" y=\"18\" class=\"tick\">stable</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left + 70}\" y=\"8\" width=\"12\" height=\"12\" fill=\"{ReportColors.Canary}\"/><text x=\"{Left + 86}\" y=\"18\" class=\"tick\">canary</text>");
    }
}
