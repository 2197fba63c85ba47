using Canary.Contracts.Telemetry.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Canary.Analyzer.Reports;

/// <summary>
/// Reads the report's quality section from PostgreSQL: the samples taken in the report's window (by when the sidecar
/// took them) with their rubric judgements and paired comparisons. Four queries over one rollout's samples, each bounded
/// by the sampling rate and retention, not by the traffic.
/// </summary>
internal static class QualityReportLoader
{
    /// <summary>How many of the lowest-scored answers the report lists.</summary>
    internal const int LowestCount = 10;

    /// <summary>The request and answer excerpts of a listed answer, in characters.</summary>
    internal const int ExcerptChars = 600;

    /// <summary>Win-rate charts get about this many points whatever the rollout's length, as the rate charts do.</summary>
    private const int WinRateBuckets = 24;

    /// <summary>The section, or null when the rollout has no samples in the window (sampling off, or nothing sampled yet).</summary>
    public static async Task<QualityReport?> LoadAsync(NpgsqlDataSource dataSource, string rollout, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var (stable, canary) = await ReadScoresAsync(dataSource, rollout, start, end, cancellationToken).ConfigureAwait(false);
        if (stable.Samples + canary.Samples == 0)
        {
            return null;
        }

        var pairs = await ReadPairsAsync(dataSource, rollout, start, end, cancellationToken).ConfigureAwait(false);
        var winRates = pairs is null ? null : await ReadWinRatesAsync(dataSource, rollout, start, end, cancellationToken).ConfigureAwait(false);
        var lowest = await ReadLowestAsync(dataSource, rollout, start, end, cancellationToken).ConfigureAwait(false);
        return new QualityReport(stable, canary, pairs, winRates, lowest);
    }

    private static async Task<(QualityArmScores Stable, QualityArmScores Canary)> ReadScoresAsync(
        NpgsqlDataSource dataSource, string rollout, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT s.arm, count(*),
                   count(*) FILTER (WHERE j.score = 1), count(*) FILTER (WHERE j.score = 2), count(*) FILTER (WHERE j.score = 3),
                   count(*) FILTER (WHERE j.score = 4), count(*) FILTER (WHERE j.score = 5),
                   count(*) FILTER (WHERE j.passed), count(*) FILTER (WHERE j.outcome = 'unparseable'),
                   count(*) FILTER (WHERE j.outcome = 'failed')
            FROM quality_samples s
            LEFT JOIN quality_judgements j ON j.sample_id = s.sample_id AND j.kind = 'rubric'
            WHERE s.rollout = $1 AND s.sampled_at >= $2 AND s.sampled_at < $3
            GROUP BY s.arm
            """;
        var stable = Empty("stable");
        var canary = Empty("canary");
        await using var command = dataSource.CreateCommand(sql);
        command.AddText(rollout);
        command.AddTime(start);
        command.AddTime(end);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var scores = new long[5];
            for (var i = 0; i < scores.Length; i++)
            {
                scores[i] = reader.GetInt64(2 + i);
            }

            var arm = new QualityArmScores(reader.GetString(0), reader.GetInt64(1), scores, reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9));
            if (arm.Arm == "stable")
            {
                stable = arm;
            }
            else
            {
                canary = arm;
            }
        }

        return (stable, canary);
    }

    private static async Task<PairedSummary?> ReadPairsAsync(
        NpgsqlDataSource dataSource, string rollout, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        // Consistent: the same version preferred, or a tie, in both orders.
        const string sql = """
            SELECT count(*), count(*) FILTER (WHERE p.result = 'win'), count(*) FILTER (WHERE p.result = 'tie'),
                   count(*) FILTER (WHERE p.result = 'loss'),
                   count(*) FILTER (WHERE p.outcome = 'decided' AND p.canary_first = p.stable_first),
                   count(*) FILTER (WHERE p.outcome = 'unparseable'), count(*) FILTER (WHERE p.outcome = 'other_failed'),
                   count(*) FILTER (WHERE p.outcome = 'failed')
            FROM quality_pairs p JOIN quality_samples s ON s.sample_id = p.sample_id
            WHERE s.rollout = $1 AND s.sampled_at >= $2 AND s.sampled_at < $3
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.AddText(rollout);
        command.AddTime(start);
        command.AddTime(end);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return reader.GetInt64(0) == 0
            ? null
            : new PairedSummary(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7));
    }

    /// <summary>
    /// Per time bucket, the share of decided prompts the canary won (the canary's series) and the share stable won (the
    /// stable series, the canary's losses), each with its Wilson interval; ties are the rest.
    /// </summary>
    private static async Task<RateSeries> ReadWinRatesAsync(
        NpgsqlDataSource dataSource, string rollout, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var bucket = TimeSpan.FromSeconds(Math.Max(10, Math.Ceiling((end - start).TotalSeconds / WinRateBuckets)));
        const string sql = """
            SELECT date_bin($4, s.sampled_at, $2), count(*), count(*) FILTER (WHERE p.result = 'win'), count(*) FILTER (WHERE p.result = 'loss')
            FROM quality_pairs p JOIN quality_samples s ON s.sample_id = p.sample_id
            WHERE s.rollout = $1 AND s.sampled_at >= $2 AND s.sampled_at < $3 AND p.outcome = 'decided'
            GROUP BY 1 ORDER BY 1
            """;
        var canary = new List<RatePoint>();
        var stable = new List<RatePoint>();
        await using var command = dataSource.CreateCommand(sql);
        command.AddText(rollout);
        command.AddTime(start);
        command.AddTime(end);
        command.Parameters.Add(new NpgsqlParameter { Value = bucket, NpgsqlDbType = NpgsqlDbType.Interval });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // Plotted at the bucket's middle: the share is an average over it.
            var time = new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc)) + (bucket / 2);
            var decided = reader.GetInt64(1);
            canary.Add(Point(time, reader.GetInt64(2), decided));
            stable.Add(Point(time, reader.GetInt64(3), decided));
        }

        return new RateSeries("share of paired prompts won", stable, canary);
    }

    private static async Task<List<LowScoredAnswer>> ReadLowestAsync(
        NpgsqlDataSource dataSource, string rollout, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        // Lowest score first; among equal scores failures first, then the canary (the version under review), newest first.
        const string sql = """
            SELECT s.sampled_at, s.arm, j.score, j.passed, j.reason, left(s.request_body, $4), left(s.answer, $4)
            FROM quality_judgements j JOIN quality_samples s ON s.sample_id = j.sample_id
            WHERE s.rollout = $1 AND s.sampled_at >= $2 AND s.sampled_at < $3 AND j.kind = 'rubric' AND j.outcome = 'judged'
            ORDER BY j.score, j.passed, s.arm = 'canary' DESC, s.sampled_at DESC
            LIMIT $5
            """;
        var lowest = new List<LowScoredAnswer>();
        await using var command = dataSource.CreateCommand(sql);
        command.AddText(rollout);
        command.AddTime(start);
        command.AddTime(end);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = ExcerptChars });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = LowestCount });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            lowest.Add(new LowScoredAnswer(
                new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc)),
                reader.GetString(1),
                reader.GetInt16(2),
                reader.GetBoolean(3),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetString(6)));
        }

        return lowest;
    }

    private static RatePoint Point(DateTimeOffset time, long events, long trials)
    {
        var (low, high) = ReportLoader.Wilson(events, trials);
        return new RatePoint(time, events / (double)trials, low, high);
    }

    private static QualityArmScores Empty(string arm) => new(arm, 0, new long[5], 0, 0, 0);
}
