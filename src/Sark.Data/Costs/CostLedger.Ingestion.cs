using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Sark.Data.Errors;

namespace Sark.Data.Costs;

public sealed partial class CostLedger
{
    // The rows go straight into cost_tracking by binary COPY (PostgreSQL inserts them in batches);
    // what the budgets need is summed while they stream, per principal, currency and quarter hour
    // (every time zone in use today is a whole number of quarter hours from UTC, so a quarter hour
    // is wholly inside or outside a day or month of any budget). The sums, a few rows per
    // principal, go to a temporary table that the set-based statements below read.
    private const string CopySql = """
        COPY cost_tracking ("timestamp", principal_id, resource_id, capability_id, estimated_cost, actual_cost, currency, metadata)
        FROM STDIN (FORMAT BINARY)
        """;

    private const string BucketsSql = """
        CREATE TEMPORARY TABLE sark_cost_buckets (
            principal_id text NOT NULL, currency char(3) NOT NULL, bucket_start timestamptz NOT NULL,
            amount numeric NOT NULL, first_row bigint NOT NULL
        ) ON COMMIT DROP
        """;

    private const string CopyBucketsSql = "COPY sark_cost_buckets (principal_id, currency, bucket_start, amount, first_row) FROM STDIN (FORMAT BINARY)";

    // A principal's budget row is created in the currency of its first row; then every budget of
    // the batch is locked in principal order (as two ingestions would: no deadlock between them).
    private const string LockBudgetsSql = """
        INSERT INTO principal_budgets (principal_id, currency)
        SELECT DISTINCT ON (principal_id) principal_id, currency FROM sark_cost_buckets ORDER BY principal_id, first_row
        ON CONFLICT DO NOTHING;
        SELECT b.principal_id FROM principal_budgets AS b
        WHERE b.principal_id IN (SELECT principal_id FROM sark_cost_buckets)
        ORDER BY b.principal_id FOR UPDATE
        """;

    private const string CurrencyCheckSql = """
        SELECT s.first_row, s.principal_id, s.currency, b.currency
        FROM sark_cost_buckets AS s JOIN principal_budgets AS b USING (principal_id)
        WHERE s.currency <> b.currency ORDER BY s.first_row LIMIT 1
        """;

    // Only rows inside a principal's current day or month (in its zone) count into that window.
    private const string ChargeBudgetsSql = """
        WITH w AS (
            SELECT b.principal_id, x.* FROM principal_budgets AS b, sark_budget_windows(b.time_zone, coalesce($1, now())) AS x
            WHERE b.principal_id IN (SELECT principal_id FROM sark_cost_buckets)
        ), sums AS (
            SELECT s.principal_id,
                   coalesce(sum(s.amount) FILTER (WHERE s.bucket_start >= w.day_start AND s.bucket_start < w.day_end), 0) AS day,
                   coalesce(sum(s.amount) FILTER (WHERE s.bucket_start >= w.month_start AND s.bucket_start < w.month_end), 0) AS month,
                   w.day_start, w.month_start
            FROM sark_cost_buckets AS s JOIN w USING (principal_id)
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
    /// Rows are checked as they stream, inside the transaction: a bad row writes nothing.
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
            var buckets = new CostBuckets();
            var count = await CopyRowsAsync(connection, rows, buckets, cancellationToken).ConfigureAwait(false);
            if (count == 0)
            {
                return new IngestionResult(0, 0, []);
            }

            await ExecuteAsync(connection, transaction, BucketsSql, cancellationToken).ConfigureAwait(false);
            await buckets.CopyAsync(connection, CopyBucketsSql, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, LockBudgetsSql, cancellationToken).ConfigureAwait(false);
            await CheckCurrenciesAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            var (principals, overLimit) = await ChargeBudgetsAsync(connection, transaction, at, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            logger.Ingested(count, principals, clock.ElapsedMilliseconds, overLimit.Count);
            return new IngestionResult(count, principals, overLimit);
        }
        catch (NpgsqlException ex)
        {
            throw CostErrors.Translate(ex, "ingesting cost rows");
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        await using var commandDisposal = command.ConfigureAwait(false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task CheckCurrenciesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var check = new NpgsqlCommand(CurrencyCheckSql, connection, transaction);
        await using var checkDisposal = check.ConfigureAwait(false);
        var reader = await check.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new UsageException(
                $"cost row {reader.GetInt64(0)} of principal '{reader.GetString(1)}' is in {reader.GetString(2)}, but the principal's budget is in {reader.GetString(3)}; nothing was ingested (convert the row, or ingest it for a budget in {reader.GetString(2)})");
        }
    }

    private static async Task<(int Principals, List<BudgetOverLimit> OverLimit)> ChargeBudgetsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        var overLimit = new List<BudgetOverLimit>();
        var principals = 0;
        var write = new NpgsqlCommand(ChargeBudgetsSql, connection, transaction) { Parameters = { Instant(at) } };
        await using var writeDisposal = write.ConfigureAwait(false);
        var reader = await write.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
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

        overLimit.Sort((a, b) => string.CompareOrdinal(a.Principal, b.Principal));
        return (principals, overLimit);
    }

    private static async Task<long> CopyRowsAsync(NpgsqlConnection connection, IEnumerable<CostRecord> rows, CostBuckets buckets, CancellationToken cancellationToken)
    {
        var importer = await connection.BeginBinaryImportAsync(CopySql, cancellationToken).ConfigureAwait(false);
        await using var importerDisposal = importer.ConfigureAwait(false);
        long number = 0;
        var metadata = new MetadataCheck();
        foreach (var row in rows)
        {
            number++;
            var checkedRow = CheckRow(row, number, metadata);
            buckets.Add(checkedRow.Principal, checkedRow.Currency, checkedRow.Timestamp, checkedRow.Actual ?? checkedRow.Estimated ?? 0, number);
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(checkedRow.Timestamp, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(checkedRow.Principal, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(checkedRow.Resource, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(checkedRow.Capability, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(importer, checkedRow.Estimated, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(importer, checkedRow.Actual, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(checkedRow.Currency, NpgsqlDbType.Char, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(checkedRow.Metadata, NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
        }

        // Disposing without completing cancels the COPY: a bad row above leaves nothing behind.
        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return number;
    }

    internal static async Task WriteNullableAsync(NpgsqlBinaryImporter importer, decimal? value, CancellationToken cancellationToken)
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

    private sealed record CheckedRow(
        DateTimeOffset Timestamp, string Principal, string Resource, string Capability, decimal? Estimated, decimal? Actual, string Currency, string Metadata);

    private static CheckedRow CheckRow(CostRecord? row, long number, MetadataCheck metadata)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(row);
            return new CheckedRow(row.Timestamp.ToUniversalTime(), CostInput.Id(row.Principal, "principal"), CostInput.Id(row.Resource, "resource"),
                CostInput.Id(row.Capability, "capability"), CostInput.Amount(row.EstimatedCost, "estimated cost"),
                CostInput.Amount(row.ActualCost, "actual cost"), CostInput.Currency(row.Currency), metadata.Check(row.Metadata));
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

    /// <summary>Backfills repeat the same metadata on many rows: a text checked once is not parsed again.</summary>
    private sealed class MetadataCheck
    {
        private string? lastText;
        private string lastChecked = "{}";

        public string Check(string? text)
        {
            if (text is null || string.Equals(text, lastText, StringComparison.Ordinal))
            {
                return text is null ? "{}" : lastChecked;
            }

            lastChecked = CostInput.Metadata(text);
            lastText = text;
            return lastChecked;
        }
    }
}
