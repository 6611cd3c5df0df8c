using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema;

namespace Sark.Data.Rollups;

/// <summary>
/// The hourly and daily cost rollups (cost_rollup_hourly, cost_rollup_daily) and the refresh of
/// mv_daily_cost_summary. A refresh recomputes a trailing window of buckets from cost_tracking
/// (delete and re-insert in one REPEATABLE READ transaction, so every bucket comes from one
/// snapshot and a late row is counted exactly once), plus the days of rows stamped before the
/// window that arrived since the last refresh (found by id), then refreshes the view concurrently.
/// One refresher works at a time (an advisory lock); another one skips, or waits if told to.
/// </summary>
public sealed partial class CostRollups(NpgsqlDataSource dataSource, ILogger<CostRollups>? logger = null)
{
    /// <summary>The rollup lock: one refresher at a time per database.</summary>
    public static readonly AdvisoryLockKey RollupLock = new(1103, "the cost rollup lock (another rollup refresh is running)");

    private static readonly DateTime MinusInfinity = DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc);
    private static readonly DateTime PlusInfinity = DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc);

    private readonly NpgsqlDataSource dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
    private readonly ILogger logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>
    /// Refreshes the rollups (see the class summary) and mv_daily_cost_summary; returns what it did.
    /// Safe to run from several hosts at once: the work is done once, and a refresher that found the
    /// lock held says so in <see cref="CostRollupReport.Skipped"/>.
    /// </summary>
    public async Task<CostRollupReport> RefreshAsync(CostRollupOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new CostRollupOptions();
        options.Check();
        var total = Stopwatch.StartNew();
        try
        {
            // A session of its own (not a pooled connection, which keeps no reset between uses):
            // both locks below are session locks, and end with the session whatever happens.
            var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);

            // Shared migration lock: no schema change runs under the refresh.
            var dataJob = await DataJobLock.AcquireAsync(connection, options.LockTimeout, cancellationToken).ConfigureAwait(false);
            await using var dataJobDisposal = dataJob.ConfigureAwait(false);
            if (!await TryLockAsync(connection, options, cancellationToken).ConfigureAwait(false))
            {
                var holder = await HolderAsync(connection, cancellationToken).ConfigureAwait(false);
                logger.Skipped(holder);
                return new CostRollupReport { Skipped = true, HeldBy = holder, Duration = total.Elapsed };
            }

            try
            {
                var report = await RecomputeAsync(connection, options, cancellationToken).ConfigureAwait(false);
                var view = Stopwatch.StartNew();
                if (options.RefreshDailySummaryView)
                {
                    await RefreshViewAsync(connection, options, cancellationToken).ConfigureAwait(false);
                    logger.ViewRefreshed(view.ElapsedMilliseconds);
                }

                return report with { ViewRefreshed = options.RefreshDailySummaryView, ViewDuration = view.Elapsed, Duration = total.Elapsed };
            }
            finally
            {
                await AdvisoryLock.ReleaseAsync(connection, RollupLock, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, "refreshing the cost rollups");
        }
    }

    /// <summary>
    /// Refreshes mv_daily_cost_summary alone, CONCURRENTLY: readers of the view keep reading the
    /// previous contents meanwhile. <see cref="RefreshAsync"/> does this after the rollups.
    /// </summary>
    public async Task RefreshViewAsync(CostRollupOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new CostRollupOptions();
        options.Check();
        try
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            await RefreshViewAsync(connection, options, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, "refreshing mv_daily_cost_summary");
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CostRollupOptions options, CancellationToken cancellationToken)
    {
        if (options.WaitForOtherRefresh > TimeSpan.Zero)
        {
            try
            {
                await AdvisoryLock.AcquireAsync(connection, RollupLock, options.WaitForOtherRefresh, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (SarkException ex) when (ex.Kind == SarkErrorKind.Timeout)
            {
                return false;
            }
        }

        using var tryLock = new NpgsqlCommand("SELECT pg_try_advisory_lock($1, $2)", connection);
        tryLock.Parameters.Add(new NpgsqlParameter { Value = AdvisoryLock.ClassKey });
        tryLock.Parameters.Add(new NpgsqlParameter { Value = RollupLock.ObjectKey });
        return (bool)(await tryLock.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task<string> HolderAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using var holder = new NpgsqlCommand(HolderSql, connection);
        holder.Parameters.Add(new NpgsqlParameter { Value = (long)AdvisoryLock.ClassKey });
        holder.Parameters.Add(new NpgsqlParameter { Value = (long)RollupLock.ObjectKey });
        return await holder.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string ?? "a session that has just released it";
    }

    private async Task<CostRollupReport> RecomputeAsync(NpgsqlConnection connection, CostRollupOptions options, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var settlement = await SettleAsync(connection, options, cancellationToken).ConfigureAwait(false);
        var exactThrough = settlement.ExactThrough;

        var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        await using var transactionDisposal = transaction.ConfigureAwait(false);
        await SetTimeoutsAsync(connection, options, cancellationToken).ConfigureAwait(false);

        DateTimeOffset? previousExact, candidateAt;
        DateTimeOffset seenAt;
        long? previousMaxId, maxId, lateScanId, candidateId;
        using (var state = new NpgsqlCommand(StateSql, connection))
        {
            var reader = await state.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new SarkException(SarkErrorKind.SchemaDrift, "cost_rollup_state has no row; the rollup migration's state row was deleted (run sark db verify)");
            }

            previousExact = reader.IsDBNull(0) ? null : reader.GetFieldValue<DateTimeOffset>(0);
            previousMaxId = reader.IsDBNull(1) ? null : reader.GetInt64(1);
            maxId = reader.IsDBNull(2) ? null : reader.GetInt64(2);
            lateScanId = reader.IsDBNull(3) ? null : reader.GetInt64(3);
            candidateId = reader.IsDBNull(4) ? null : reader.GetInt64(4);
            candidateAt = reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5);
            seenAt = reader.GetFieldValue<DateTimeOffset>(6);
        }

        // Every id up to the candidate, and up to the watermark W when it settled, is visible to
        // this snapshot (CostRollups.Horizon.cs): after this refresh (late days below found from
        // the old late_scan_id) all their rows are counted.
        var nextLateScanId = Max(lateScanId, settlement.Settles(candidateAt) ? candidateId : null);
        nextLateScanId = Max(nextLateScanId, settlement.SettledId);

        var firstRun = previousExact is null;
        var rebuild = firstRun || previousMaxId is null || options.RecomputeFrom == DateTimeOffset.MinValue;
        DateTimeOffset? from = null;
        var lateDays = new List<DateOnly>();
        if (!rebuild)
        {
            var start = Min(exactThrough - options.Window, previousExact!.Value);
            if (options.RecomputeFrom is { } asked)
            {
                start = Min(start, asked);
            }

            from = FloorDay(start);
            lateDays = await LateDaysAsync(connection, lateScanId, from.Value, cancellationToken).ConfigureAwait(false);
        }

        long hourly = 0, daily = 0, rows = 0;
        foreach (var (lower, upper) in Ranges(from, lateDays))
        {
            var (h, d, r) = await RecomputeRangeAsync(connection, lower, upper, cancellationToken).ConfigureAwait(false);
            hourly += h;
            daily += d;
            rows += r;
        }

        using (var save = new NpgsqlCommand(SaveStateSql, connection))
        {
            save.Parameters.Add(new NpgsqlParameter { Value = exactThrough.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            save.Parameters.Add(new NpgsqlParameter { Value = (object?)(maxId ?? previousMaxId) ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
            save.Parameters.Add(new NpgsqlParameter { Value = (object?)from?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            save.Parameters.Add(new NpgsqlParameter { Value = (object?)nextLateScanId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
            save.Parameters.Add(new NpgsqlParameter { Value = (object?)maxId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
            save.Parameters.Add(new NpgsqlParameter { Value = seenAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            await save.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (lateDays.Count > 0)
        {
            logger.LateDays(lateDays.Count);
        }

        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.Refreshed(from is null ? "the oldest cost row" : CostSummaryInput.Show(from.Value), hourly, daily, rows, watch.ElapsedMilliseconds, exactThrough);
        }
        return new CostRollupReport
        {
            FirstRun = firstRun,
            RecomputedFrom = from,
            LateDays = lateDays,
            HourlyBuckets = hourly,
            DailyBuckets = daily,
            CostRowsRead = rows,
            ExactThrough = exactThrough,
            RollupDuration = watch.Elapsed,
        };
    }

    private static async Task<List<DateOnly>> LateDaysAsync(NpgsqlConnection connection, long? lateScanId, DateTimeOffset before, CancellationToken cancellationToken)
    {
        using var late = new NpgsqlCommand(LateDaysSql, connection);
        late.Parameters.Add(new NpgsqlParameter { Value = (object?)lateScanId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        late.Parameters.Add(new NpgsqlParameter { Value = before.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        var days = new List<DateOnly>();
        var reader = await late.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            days.Add(DateOnly.FromDateTime(reader.GetFieldValue<DateTimeOffset>(0).UtcDateTime));
        }

        return days;
    }

    /// <summary>The ranges to recompute: consecutive late days merged, then [from, infinity); all of time when from is null.</summary>
    private static IEnumerable<(DateTime Lower, DateTime Upper)> Ranges(DateTimeOffset? from, List<DateOnly> lateDays)
    {
        if (from is null)
        {
            yield return (MinusInfinity, PlusInfinity);
            yield break;
        }

        var i = 0;
        while (i < lateDays.Count)
        {
            var first = lateDays[i];
            var last = first;
            while (i + 1 < lateDays.Count && lateDays[i + 1] == last.AddDays(1))
            {
                last = lateDays[++i];
            }

            i++;
            yield return (Utc(first), Utc(last.AddDays(1)));
        }

        yield return (from.Value.UtcDateTime, PlusInfinity);
    }

    private static async Task<(long Hourly, long Daily, long Rows)> RecomputeRangeAsync(
        NpgsqlConnection connection, DateTime lower, DateTime upper, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, DeleteHourlySql, lower, upper, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, DeleteDailySql, lower, upper, cancellationToken).ConfigureAwait(false);
        long hourly, rows;
        using (var insert = Bounded(connection, InsertHourlySql, lower, upper))
        {
            var reader = await insert.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            hourly = reader.GetInt64(0);
            rows = reader.GetInt64(1);
        }

        var daily = await ExecuteAsync(connection, InsertDailySql, lower, upper, cancellationToken).ConfigureAwait(false);
        return (hourly, daily, rows);
    }

    private static async Task RefreshViewAsync(NpgsqlConnection connection, CostRollupOptions options, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionDisposal = transaction.ConfigureAwait(false);
        await SetTimeoutsAsync(connection, options, cancellationToken).ConfigureAwait(false);
        using (var refresh = new NpgsqlCommand("REFRESH MATERIALIZED VIEW CONCURRENTLY mv_daily_cost_summary", connection) { CommandTimeout = 0 })
        {
            await refresh.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    // SET LOCAL: the limits end with the transaction, so the pooled session keeps its own.
    private static async Task SetTimeoutsAsync(NpgsqlConnection connection, CostRollupOptions options, CancellationToken cancellationToken)
    {
        using var set = new NpgsqlCommand(
            "SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)", connection);
        set.Parameters.Add(new NpgsqlParameter { Value = $"{(long)Math.Ceiling(options.LockTimeout.TotalMilliseconds)}ms" });
        set.Parameters.Add(new NpgsqlParameter { Value = $"{(long)Math.Ceiling(options.StatementTimeout.TotalMilliseconds)}ms" });
        await set.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, DateTime lower, DateTime upper, CancellationToken cancellationToken)
    {
        using var command = Bounded(connection, sql, lower, upper);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // No client-side timeout: statement_timeout bounds the statement on the server.
    private static NpgsqlCommand Bounded(NpgsqlConnection connection, string sql, DateTime lower, DateTime upper)
    {
        var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        command.Parameters.Add(new NpgsqlParameter { Value = lower, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = upper, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return command;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;

    private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    internal static DateTimeOffset FloorDay(DateTimeOffset t) => new(t.UtcDateTime.Date, TimeSpan.Zero);

    private static DateTime Utc(DateOnly day) => DateTime.SpecifyKind(day.ToDateTime(TimeOnly.MinValue), DateTimeKind.Utc);
}
