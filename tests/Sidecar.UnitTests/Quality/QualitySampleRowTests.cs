using System.Text;
using Canary.Contracts.Responses;
using Canary.Sidecar.Model;
using Canary.Sidecar.Persistence;
using Canary.Sidecar.Quality;
using Canary.Sidecar.Telemetry.Scanning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Canary.Sidecar.UnitTests.Quality;

/// <summary>
/// What the writer makes of a finished capture before it goes to PostgreSQL (<see cref="QualitySampleWriter.ToRow"/>):
/// the answer's text assembled, the redaction rules applied to request and answer, text PostgreSQL can store.
/// No database is contacted: the data source is never opened here.
/// </summary>
public sealed class QualitySampleRowTests
{
    private static readonly DateTimeOffset SampledAt = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static QualitySampleRow ToRow(QualitySampleCapture capture, int maxAnswerChars = 32 * 1024)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(
            [
                new("Canary:Quality:Redact:0", @"[\w.+-]+@[\w-]+\.[\w.]+"),
                new("Canary:Quality:MaxAnswerChars", maxAnswerChars.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ])
            .Build();
        var errors = new List<string>();
        var settings = QualitySettings.Load(configuration.GetSection("Canary:Quality"), errors);
        Assert.Empty(errors);
        using var dataSource = new NpgsqlSlimDataSourceBuilder("Host=127.0.0.1;Database=never-opened").Build();
        using var writer = new QualitySampleWriter(
            new QualitySampleQueue(settings, new QualityCounters()), dataSource, settings, new QualityCounters(),
            Microsoft.Extensions.Options.Options.Create(new PersistenceOptions { SidecarId = "sidecar-a" }), TimeProvider.System, NullLogger<QualitySampleWriter>.Instance);
        return writer.ToRow(capture);
    }

    private static QualitySampleCapture Capture(string request, string response, ResponseBodyFormat format, int maxRequestBytes = 64 * 1024, int maxResponseBytes = 256 * 1024)
    {
        var capture = new QualitySampleCapture(Guid.CreateVersion7(SampledAt), "chat", SampledAt, 1234, maxRequestBytes, maxResponseBytes);
        capture.SetRequestBody(Encoding.UTF8.GetBytes(request), complete: true);
        capture.OnResponseHeaders(200, format);
        capture.AppendResponse(Encoding.UTF8.GetBytes(response));
        return capture;
    }

    [Fact]
    public void ToRow_CanaryExchange_EveryColumnFromTheCapture()
    {
        var capture = Capture("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""", """{"choices":[{"message":{"content":"hello"}}]}""", ResponseBodyFormat.Json);
        capture.OnUsage(new ResponseUsage { FinishReason = FinishReason.Length, InputTokens = 7, OutputTokens = 3 });
        capture.End(ArmKind.Canary, "v2", incomplete: false);

        var row = ToRow(capture);

        Assert.Equal(
            (capture.Id, "chat", "v2", "canary", 1234, "sidecar-a", SampledAt, 200, "length", (long?)7L, (long?)3L, false, false),
            (row.SampleId, row.Rollout, row.Subset, row.Arm, row.Bucket, row.SidecarId, row.SampledAt, row.Status, row.FinishReason, row.InputTokens, row.OutputTokens, row.Refusal, row.Incomplete));
        Assert.Equal(("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""", false), (row.RequestBody, row.RequestTruncated));
        Assert.Equal(("hello", false), (row.Answer, row.AnswerTruncated));
    }

    [Fact]
    public void ToRow_EmailInRequestAndAnswer_RedactedInBoth()
    {
        var capture = Capture(
            """{"messages":[{"role":"user","content":"mail ann@example.com please"}]}""",
            "data: {\"choices\":[{\"delta\":{\"content\":\"Sent to ann@\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"example.com.\"}}]}\n\ndata: [DONE]\n\n",
            ResponseBodyFormat.EventStream);
        capture.End(ArmKind.Stable, "v1", incomplete: false);

        var row = ToRow(capture);

        // The address split over two events is whole in the assembled answer, so the rule still finds it.
        Assert.Equal("""{"messages":[{"role":"user","content":"mail [redacted] please"}]}""", row.RequestBody);
        Assert.Equal("Sent to [redacted]", row.Answer);
        Assert.Equal("stable", row.Arm);
    }

    [Fact]
    public void ToRow_NoFinishReason_StoredAsNone()
    {
        var capture = Capture("{}", "", ResponseBodyFormat.Json);
        capture.OnResponseHeaders(503, null);
        capture.End(ArmKind.Canary, "v2", incomplete: true);

        var row = ToRow(capture);

        Assert.Equal((QualitySampleWriter.NoFinishReason, 503, true, ""), (row.FinishReason, row.Status, row.Incomplete, row.Answer));
    }

    [Fact]
    public void ToRow_NulCharacters_ReplacedSoPostgreSqlTakesTheText()
    {
        var capture = Capture("{\"content\":\"a\0b\"}", """{"choices":[{"message":{"content":"x\u0000y"}}]}""", ResponseBodyFormat.Json);
        capture.End(ArmKind.Canary, "v2", incomplete: false);

        var row = ToRow(capture);

        Assert.Equal("{\"content\":\"a\uFFFDb\"}", row.RequestBody);
        Assert.Equal("x\uFFFDy", row.Answer);
    }

    [Fact]
    public void ToRow_AnswerLongerThanMaxAnswerChars_CutAndMarked()
    {
        var text = new string('w', 300);
        var capture = Capture("{}", $$$"""{"choices":[{"message":{"content":"{{{text}}}"}}]}""", ResponseBodyFormat.Json);
        capture.End(ArmKind.Canary, "v2", incomplete: false);

        var row = ToRow(capture, maxAnswerChars: 256);

        Assert.Equal((new string('w', 256), true), (row.Answer, row.AnswerTruncated));
    }

    [Fact]
    public void ToRow_AnswerOfExactlyMaxAnswerChars_NotMarked()
    {
        var text = new string('w', 256);
        var capture = Capture("{}", $$$"""{"choices":[{"message":{"content":"{{{text}}}"}}]}""", ResponseBodyFormat.Json);
        capture.End(ArmKind.Canary, "v2", incomplete: false);

        var row = ToRow(capture, maxAnswerChars: 256);

        Assert.Equal((text, false), (row.Answer, row.AnswerTruncated));
    }

    [Fact]
    public void ToRow_RequestAndResponseOverTheirBounds_CutAndMarked()
    {
        var capture = Capture(new string('r', 2000), "data: {\"choices\":[{\"delta\":{\"content\":\"kept\"}}]}\n\n" + new string(' ', 2000), ResponseBodyFormat.EventStream, maxRequestBytes: 1024, maxResponseBytes: 1024);
        capture.End(ArmKind.Canary, "v2", incomplete: false);

        var row = ToRow(capture);

        Assert.Equal((new string('r', 1024), true), (row.RequestBody, row.RequestTruncated));
        Assert.Equal(("kept", true), (row.Answer, row.AnswerTruncated));
    }
}
