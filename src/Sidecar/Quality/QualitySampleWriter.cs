using System.Text;
using Canary.Contracts.Responses;
using Canary.Contracts.Telemetry;
using Canary.Sidecar.Model;
using Canary.Sidecar.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Canary.Sidecar.Quality;

/// <summary>
/// Writes queued quality samples to <c>quality_samples</c>: assembles each answer's text, applies the redaction rules
/// to the request and the answer, and inserts a batch in one round trip with <c>ON CONFLICT DO NOTHING</c> on the
/// sample's id, so a batch retried after an ambiguous failure is stored once. While PostgreSQL is unreachable the same
/// batch is retried with exponential backoff; meanwhile the queue fills and further samples are dropped and counted.
/// A batch PostgreSQL refuses for its data (an error of class 22 or 23) would be refused again, so it is dropped and
/// counted instead of blocking every later sample. Unless <c>Canary:Telemetry:ApplyMigrations</c> is off, the schema
/// is migrated before the first write, so samples do not wait for the first telemetry flush to create their table.
/// </summary>
internal sealed class QualitySampleWriter : BackgroundService
{
    /// <summary><c>finish_reason</c> of a sample whose answer reported no finish reason.</summary>
    public const string NoFinishReason = "none";

    private const int MaxBatch = 100;

    private const string Insert = """
        INSERT INTO quality_samples (sample_id, rollout, subset, arm, bucket, sidecar_id, sampled_at, status, finish_reason,
            input_tokens, output_tokens, refusal, incomplete, request_body, request_truncated, answer, answer_truncated)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
        ON CONFLICT (sample_id) DO NOTHING
        """;

    private readonly QualitySampleQueue _queue;
    private readonly NpgsqlDataSource _dataSource;
    private readonly Redactor _redactor;
    private readonly QualityOptions _options;
    private readonly QualityCounters _counters;
    private readonly PersistenceOptions _persistence;
    private readonly TimeProvider _time;
    private readonly ILogger<QualitySampleWriter> _logger;
    private bool _schemaReady;

    public QualitySampleWriter(
        QualitySampleQueue queue,
        NpgsqlDataSource dataSource,
        QualitySettings settings,
        QualityCounters counters,
        IOptions<PersistenceOptions> persistence,
        TimeProvider time,
        ILogger<QualitySampleWriter> logger)
    {
        _queue = queue;
        _dataSource = dataSource;
        _redactor = new Redactor(settings);
        _options = settings.Options;
        _counters = counters;
        _persistence = persistence.Value;
        _time = time;
        _logger = logger;
        _schemaReady = !_persistence.ApplyMigrations;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<QualitySampleRow>(MaxBatch);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (batch.Count < MaxBatch && reader.TryRead(out var sample))
                {
                    batch.Add(ToRow(sample));
                }

                await WriteWithRetriesAsync(batch, stoppingToken).ConfigureAwait(false);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: what is still queued is lost with the process, as the queue's bound already allows.
        }
    }

    internal QualitySampleRow ToRow(QualitySampleCapture sample)
    {
        var answer = AnswerText.Assemble(sample.ResponseBody, sample.ResponseFormat, _options.MaxAnswerChars, out var answerCut);
        return new QualitySampleRow(
            sample.Id,
            sample.Rollout,
            sample.Subset,
            sample.Arm == ArmKind.Canary ? "canary" : "stable",
            sample.Bucket,
            _persistence.SidecarId,
            sample.SampledAt,
            sample.Status,
            FinishReasonName(sample.FinishReason),
            sample.InputTokens,
            sample.OutputTokens,
            sample.Refusal,
            sample.Incomplete,
            Storable(_redactor.Apply(Encoding.UTF8.GetString(sample.RequestBody))),
            sample.RequestTruncated,
            Storable(_redactor.Apply(answer)),
            sample.ResponseTruncated || answerCut);
    }

    /// <summary>
    /// The finish reason's name as telemetry stores it, or <c>none</c> when the answer reported none: an error status, a
    /// body that was not read, an answer cut before its end. <see cref="FinishReasons.Name"/> has no name for that case.
    /// </summary>
    internal static string FinishReasonName(FinishReason reason) => reason == FinishReason.None ? NoFinishReason : FinishReasons.Name(reason);

    /// <summary>
    /// PostgreSQL text cannot hold U+0000, which a request body (raw bytes) or an answer (a JSON <c>\u0000</c> escape)
    /// may carry; it becomes U+FFFD so the row is accepted rather than refused with its whole batch.
    /// </summary>
    internal static string Storable(string text) => text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', '\uFFFD') : text;

    private async Task WriteWithRetriesAsync(List<QualitySampleRow> batch, CancellationToken cancellationToken)
    {
        var delay = _persistence.InitialRetryDelay;
        while (true)
        {
            try
            {
                if (!_schemaReady)
                {
                    await SchemaMigrator.MigrateAsync(_dataSource, cancellationToken).ConfigureAwait(false);
                    _schemaReady = true;
                }

                await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                _counters.Count(QualityCounter.Written, batch.Count);
                return;
            }
            catch (PostgresException e) when (IsRefusedData(e))
            {
                _counters.Count(QualityCounter.RejectedByDatabase, batch.Count);
                _logger.LogWarning("PostgreSQL refused a batch of {Count} quality samples ({SqlState}: {Message}); dropped", batch.Count, e.SqlState, e.MessageText);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or PostgresException or TimeoutException or System.Net.Sockets.SocketException && !cancellationToken.IsCancellationRequested)
            {
                _counters.Count(QualityCounter.WriteFailures);
                _logger.LogWarning("Writing {Count} quality samples failed ({Message}); retrying in {Delay}", batch.Count, e.Message, delay);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _persistence.MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>Data exceptions (22) and integrity violations (23): the same rows would be refused on every retry.</summary>
    private static bool IsRefusedData(PostgresException e) =>
        e.SqlState.StartsWith("22", StringComparison.Ordinal) || e.SqlState.StartsWith("23", StringComparison.Ordinal);

    private async Task WriteAsync(List<QualitySampleRow> rows, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var npgsqlBatch = new NpgsqlBatch(connection);
        foreach (var row in rows)
        {
            var command = new NpgsqlBatchCommand(Insert);
            var p = command.Parameters;
            p.Add(new NpgsqlParameter<Guid> { TypedValue = row.SampleId });
            p.Add(new NpgsqlParameter<string> { TypedValue = row.Rollout });
            p.Add(new NpgsqlParameter<string> { TypedValue = row.Subset });
            p.Add(new NpgsqlParameter<string> { TypedValue = row.Arm });
            p.Add(new NpgsqlParameter<int> { TypedValue = row.Bucket });
            p.Add(new NpgsqlParameter<string> { TypedValue = row.SidecarId });
            p.Add(new NpgsqlParameter<DateTime> { TypedValue = row.SampledAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            p.Add(new NpgsqlParameter<int> { TypedValue = row.Status });
            p.Add(new NpgsqlParameter<string> { TypedValue = row.FinishReason });
            p.Add(Nullable(row.InputTokens));
            p.Add(Nullable(row.OutputTokens));
            p.Add(new NpgsqlParameter<bool> { TypedValue = row.Refusal });
            p.Add(new NpgsqlParameter<bool> { TypedValue = row.Incomplete });
            p.Add(new NpgsqlParameter<string> { TypedValue = row.RequestBody });
            p.Add(new NpgsqlParameter<bool> { TypedValue = row.RequestTruncated });
            p.Add(new NpgsqlParameter<string> { TypedValue = row.Answer });
            p.Add(new NpgsqlParameter<bool> { TypedValue = row.AnswerTruncated });
            npgsqlBatch.BatchCommands.Add(command);
        }

        await npgsqlBatch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlParameter Nullable(long? value) =>
        value is { } v ? new NpgsqlParameter<long> { TypedValue = v } : new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint };
}
