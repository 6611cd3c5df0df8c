using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Sark.Data.Errors;

namespace Sark.Data.Costs;

public sealed partial class CostLedger
{
    // Rows are copied into a temporary table first, so the checks and the budget sums run over the
    // whole batch with set-based statements, and cost_tracking gets them in one INSERT ... SELECT.
    private const string StagingSql = """
        CREATE TEMPORARY TABLE sark_cost_staging (
            row_number bigint NOT NULL, "timestamp" timestamptz NOT NULL, principal_id text NOT NULL,
            resource_id text NOT NULL, capability_id text NOT NULL, estimated_cost numeric(18,6),
            actual_cost numeric(18,6), currency char(3) NOT NULL, metadata jsonb NOT NULL
        ) ON COMMIT DROP
        """;

    private const string CopySql = """
        COPY sark_cost_staging (row_number, "timestamp", principal_id, resource_id, capability_id, estimated_cost, actual_cost, currency, metadata)
        FROM STDIN (FORMAT BINARY)
        """;

    // A principal's budget row is created in the currency of its first row; then every budget of
    // the batch is locked in principal order (as two ingestions would: no deadlock between them).
    private const string LockBudgetsSql = """
        INSERT INTO principal_budgets (principal_id, currency)
        SELECT DISTINCT ON (principal_id) principal_id, currency FROM sark_cost_staging ORDER BY principal_id, row_number
        ON CONFLICT DO NOTHING;
        SELECT b.principal_id FROM principal_budgets AS b
        WHERE b.principal_id IN (SELECT DISTINCT principal_id FROM sark_cost_staging)
        ORDER BY b.principal_id FOR UPDATE;
        SELECT s.row_number, s.principal_id, s.currency, b.currency
        FROM sark_cost_staging AS s JOIN principal_budgets AS b USING (principal_id)
        WHERE s.currency <> b.currency ORDER BY s.row_number LIMIT 1
        """;

    // Only rows inside a principal's current day or month (in its zone) count into that window.
    private const string WriteSql = """
        INSERT INTO cost_tracking ("timestamp", principal_id, resource_id, capability_id, estimated_cost, actual_cost, currency, metadata)
        SELECT "timestamp", principal_id, resource_id, capability_id, estimated_cost, actual_cost, currency, metadata FROM sark_cost_staging;
        WITH w AS (
            SELECT b.principal_id, x.* FROM principal_budgets AS b, sark_budget_windows(b.time_zone, coalesce($1, now())) AS x
            WHERE b.principal_id IN (SELECT DISTINCT principal_id FROM sark_cost_staging)
        ), sums AS (
            SELECT s.principal_id,
                   coalesce(sum(coalesce(s.actual_cost, s.estimated_cost)) FILTER (WHERE s."timestamp" >= w.day_start AND s."timestamp" < w.day_end), 0) AS day,
                   coalesce(sum(coalesce(s.actual_cost, s.estimated_cost)) FILTER (WHERE s."timestamp" >= w.month_start AND s."timestamp" < w.month_end), 0) AS month,
                   w.day_start, w.month_start
            FROM sark_cost_staging AS s JOIN w USING (principal_id)
            GROUP BY s.principal_id, w.day_start, w.month_start
        )
        UPDATE principal_budgets AS b SET
            daily_spent = CASE WHEN b.last_daily_reset IS NULL OR b.last_daily_reset < sums.day_start THEN 0 ELSE b.daily_spent END + sums.day,
            monthly_spent = CASE WHEN b.last_monthly_reset IS NULL OR b.last_monthly_reset < sums.month_start THEN 0 ELSE b.monthly_spent END + sums.month,
            last_daily_reset = greatest(b.last_daily_reset, sums.day_start),
            last_monthly_reset = greatest(b.last_monthly_reset, sums.month_start)
        FROM sums WHERE b.principal_id = sums.principal_id
        RETURNING b.principal_id, b.currency, b.daily_budget, b.daily_spent, b.monthly_budget, b.monthly_spent
        """;

    /// <summary>
    /// Bulk ingestion by binary COPY (backfills, federation imports): writes the rows to
    /// cost_tracking and charges each principal's budget with the sum of its rows that fall in the
    /// budget's current day and month (older rows are history, not today's spend). All or nothing;
    /// never denies: principals now past a limit are reported. A row in another currency than its
    /// principal's budget fails the whole batch with one line naming the row (numbered from 1).
    /// </summary>
    public Task<IngestionResult> IngestAsync(IEnumerable<CostRecord> rows, CancellationToken cancellationToken = default) =>
        IngestAtAsync(rows, null, cancellationToken);

    /// <summary>As <see cref="IngestAsync(IEnumerable{CostRecord}, CancellationToken)"/> with windows at <paramref name="at"/> (tests).</summary>
    internal async Task<IngestionResult> IngestAtAsync(IEnumerable<CostRecord> rows, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var clock = Stopwatch.StartNew();
        try
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var transactionDisposal = transaction.ConfigureAwait(false);
            var staging = new NpgsqlCommand(StagingSql, connection, transaction);
            await using (staging.ConfigureAwait(false))
            {
                await staging.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var count = await CopyAsync(connection, rows, cancellationToken).ConfigureAwait(false);
            if (count == 0)
            {
                return new IngestionResult(0, 0, []);
            }

            var locking = new NpgsqlCommand(LockBudgetsSql, connection, transaction);
            await using (locking.ConfigureAwait(false))
            {
                var reader = await locking.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using var readerDisposal = reader.ConfigureAwait(false);
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new UsageException(
                        $"cost row {reader.GetInt64(0)} of principal '{reader.GetString(1)}' is in {reader.GetString(2)}, but the principal's budget is in {reader.GetString(3)}; nothing was ingested (convert the row, or ingest it for a budget in {reader.GetString(2)})");
                }
            }

            var overLimit = new List<BudgetOverLimit>();
            var principals = 0;
            var write = new NpgsqlCommand(WriteSql, connection, transaction);
            await using (write.ConfigureAwait(false))
            {
                write.Parameters.Add(Instant(at));
                var reader = await write.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using var readerDisposal = reader.ConfigureAwait(false);
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    principals++;
                    var (principal, currency) = (reader.GetString(0), reader.GetString(1).Trim());
                    if (NullableDecimal(reader, 2) is { } daily && reader.GetDecimal(3) > daily)
                    {
                        overLimit.Add(new BudgetOverLimit(principal, BudgetWindowKind.Daily, daily, reader.GetDecimal(3), currency));
                    }
                    else if (NullableDecimal(reader, 4) is { } monthly && reader.GetDecimal(5) > monthly)
                    {
                        overLimit.Add(new BudgetOverLimit(principal, BudgetWindowKind.Monthly, monthly, reader.GetDecimal(5), currency));
                    }
                }
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            overLimit.Sort((a, b) => string.CompareOrdinal(a.Principal, b.Principal));
            logger.Ingested(count, principals, clock.ElapsedMilliseconds, overLimit.Count);
            return new IngestionResult(count, principals, overLimit);
        }
        catch (NpgsqlException ex)
        {
            throw CostErrors.Translate(ex, "ingesting cost rows");
        }
    }

    private static async Task<long> CopyAsync(NpgsqlConnection connection, IEnumerable<CostRecord> rows, CancellationToken cancellationToken)
    {
        var importer = await connection.BeginBinaryImportAsync(CopySql, cancellationToken).ConfigureAwait(false);
        await using var importerDisposal = importer.ConfigureAwait(false);
        long number = 0;
        foreach (var row in rows)
        {
            number++;
            var (principal, resource, capability, estimated, actual, currency, metadata) = CheckRow(row, number);
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(number, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(row.Timestamp.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(principal, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(resource, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(capability, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(importer, estimated, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(importer, actual, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(currency, NpgsqlDbType.Char, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(metadata, NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
        }

        // Disposing without completing cancels the COPY: a bad row above leaves nothing behind.
        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return number;
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter importer, decimal? value, CancellationToken cancellationToken)
    {
        if (value is { } amount)
        {
            await importer.WriteAsync(amount, NpgsqlDbType.Numeric, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static (string, string, string, decimal?, decimal?, string, string) CheckRow(CostRecord? row, long number)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(row);
            return (CostInput.Id(row.Principal, "principal"), CostInput.Id(row.Resource, "resource"), CostInput.Id(row.Capability, "capability"),
                CostInput.Amount(row.EstimatedCost, "estimated cost"), CostInput.Amount(row.ActualCost, "actual cost"),
                CostInput.Currency(row.Currency), CostInput.Metadata(row.Metadata));
        }
        catch (UsageException ex)
        {
            throw new UsageException($"cost row {number}: {ex.Text}; nothing was ingested", ex);
        }
        catch (ArgumentNullException ex)
        {
            throw new UsageException($"cost row {number} is null; nothing was ingested", ex);
        }
    }
}
