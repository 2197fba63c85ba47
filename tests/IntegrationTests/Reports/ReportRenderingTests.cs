using Canary.Analyzer.Reports;

namespace Canary.IntegrationTests.Reports;

public sealed class ReportRenderingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("canary-report-").FullName;

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("CANARY_KEEP_REPORT") is null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [ChromiumFact]
    public async Task Render_SampleInHeadlessChromium_DomHasContentAndScreenshotHasCharts()
    {
        var html = Path.Combine(_directory, "report.html");
        await File.WriteAllTextAsync(html, ReportRenderer.Render(SampleReport.Create()));
        var url = new Uri(html).AbsoluteUri;
        var png = Path.Combine(_directory, "report.png");

        var dom = await Chromium.RunAsync(Path.Combine(_directory, "profile-dom"), url, "--dump-dom");
        await Chromium.RunAsync(Path.Combine(_directory, "profile-shot"), url, $"--screenshot={png}", "--window-size=1280,2000");

        Assert.Contains("<h1 id=\"rollout\">chat-assistant</h1>", dom, StringComparison.Ordinal);
        Assert.Contains("gpt-5-mini", dom, StringComparison.Ordinal);
        // Two latency CDFs, two rate charts, the timeline, the judge scores and the paired win rates.
        Assert.Equal(7, CountOf(dom, "<svg class=\"chart\""));
        Assert.Equal(4, CountOf(dom, "class=\"cdf "));
        Assert.Equal(6, CountOf(dom, "class=\"ci "));
        Assert.Equal(10, CountOf(dom, "<rect class=\"score "));
        Assert.Equal(5, CountOf(dom, "<tr class=\"decision\">"));
        Assert.Contains("p95 latency +41 % (limit +30 %, 95 % CI +33 % … +49 %) and error rate &lt;2× stable&gt; &amp; rising", dom, StringComparison.Ordinal);
        Assert.Contains("stage 10 % passed", dom, StringComparison.Ordinal);

        var image = PngImage.Decode(await File.ReadAllBytesAsync(png));
        Assert.Equal(1280, image.Width);
        Assert.True(image.Height >= 1000, $"height {image.Height}");
        int nonWhite = 0, stable = 0, canary = 0;
        for (var y = 0; y < image.Height; y += 2)
        {
            for (var x = 0; x < image.Width; x += 2)
            {
                var (r, g, b) = image[x, y];
                nonWhite += r < 240 || g < 240 || b < 240 ? 1 : 0;
                stable += Near(r, g, b, 0x25, 0x63, 0xeb) ? 1 : 0;
                canary += Near(r, g, b, 0xea, 0x58, 0x0c) ? 1 : 0;
            }
        }

        var sampled = (image.Width / 2) * (image.Height / 2);
        Assert.True(nonWhite > sampled / 50, $"only {nonWhite} of {sampled} sampled pixels are not white");
        Assert.True(stable > 200, $"{stable} stable-blue pixels");
        Assert.True(canary > 200, $"{canary} canary-orange pixels");
    }

    private static bool Near(byte r, byte g, byte b, int er, int eg, int eb) =>
        Math.Abs(r - er) < 24 && Math.Abs(g - eg) < 24 && Math.Abs(b - eb) < 24;

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
