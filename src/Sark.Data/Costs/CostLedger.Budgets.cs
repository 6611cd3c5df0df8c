using Npgsql;
using NpgsqlTypes;
using Sark.Data.Errors;
using Sark.Data.Paging;

namespace Sark.Data.Costs;

public sealed partial class CostLedger
{
    private const string SetBudgetSql = "SELECT principal_id FROM sark_set_budget($1, $2, $3, $4, $5, $6, $7)";

    /// <summary>
    /// Creates or changes a principal's budget: its daily and monthly limits (<see cref="BudgetLimit.None"/>:
    /// no limit), currency and time zone; what <paramref name="change"/> leaves null stays. A zone
    /// the database does not know is a usage error; a currency change while money is spent this
    /// month or held is a <see cref="SarkErrorKind.Conflict"/>. Returns the budget's status.
    /// </summary>
    public async Task<BudgetStatus> SetBudgetAsync(string principal, BudgetChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        principal = CostInput.Id(principal, "principal");
        var daily = CostInput.Amount(change.Daily?.Amount, "daily limit");
        var monthly = CostInput.Amount(change.Monthly?.Amount, "monthly limit");
        var currency = change.Currency is null ? null : CostInput.Currency(change.Currency);
        var zone = change.TimeZone is null ? null : CostInput.TimeZone(change.TimeZone);
        try
        {
            var command = dataSource.CreateCommand(SetBudgetSql);
            await using var commandDisposal = command.ConfigureAwait(false);
            command.Parameters.Add(Text(principal));
            command.Parameters.Add(new NpgsqlParameter { Value = change.Daily is not null });
            command.Parameters.Add(Numeric(daily));
            command.Parameters.Add(new NpgsqlParameter { Value = change.Monthly is not null });
            command.Parameters.Add(Numeric(monthly));
            command.Parameters.Add(Text(currency));
            command.Parameters.Add(Text(zone));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw CostErrors.Translate(ex, $"setting the budget of principal '{principal}'");
        }

        var status = await GetBudgetStatusAsync(principal, cancellationToken).ConfigureAwait(false)
            ?? throw new SarkException(SarkErrorKind.Conflict, $"the budget of principal '{principal}' was deleted while it was set; try again");
        logger.BudgetSet(principal, status.Daily.Limit, status.Monthly.Limit, status.Currency, status.TimeZone);
        return status;
    }

    // The same roll as a charge, applied on read (nothing is written): a window that has ended counts 0.
    private static string StatusColumns(string at) => $"""
        b.principal_id, b.currency, b.time_zone, b.daily_budget, b.monthly_budget,
        CASE WHEN b.last_daily_reset IS NULL OR b.last_daily_reset < w.day_start THEN 0 ELSE b.daily_spent END,
        CASE WHEN b.last_monthly_reset IS NULL OR b.last_monthly_reset < w.month_start THEN 0 ELSE b.monthly_spent END,
        sark_reserved(b.principal_id, {at}), w.day_start, w.day_end, w.month_start, w.month_end, b.updated_at
        """;

    private static readonly string StatusSql = $"""
        SELECT {StatusColumns("coalesce($2, now())")}
        FROM principal_budgets AS b, sark_budget_windows(b.time_zone, coalesce($2, now())) AS w
        WHERE b.principal_id = $1
        """;

    /// <summary>The budget of <paramref name="principal"/> now (windows rolled as a charge would), or null when it has none.</summary>
    public Task<BudgetStatus?> GetBudgetStatusAsync(string principal, CancellationToken cancellationToken = default) =>
        GetBudgetStatusAtAsync(principal, null, cancellationToken);

    /// <summary>As <see cref="GetBudgetStatusAsync(string, CancellationToken)"/> at <paramref name="at"/> (tests).</summary>
    internal async Task<BudgetStatus?> GetBudgetStatusAtAsync(string principal, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        principal = CostInput.Id(principal, "principal");
        try
        {
            var command = dataSource.CreateCommand(StatusSql);
            await using var commandDisposal = command.ConfigureAwait(false);
            command.Parameters.Add(Text(principal));
            command.Parameters.Add(Instant(at));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadStatus(reader) : null;
        }
        catch (NpgsqlException ex)
        {
            throw CostErrors.Translate(ex, $"reading the budget of principal '{principal}'");
        }
    }

    private static readonly string ListSql = $"""
        SELECT {StatusColumns("now()")}
        FROM principal_budgets AS b, sark_budget_windows(b.time_zone, now()) AS w
        WHERE ($1::text IS NULL OR b.principal_id > $1)
        ORDER BY b.principal_id
        LIMIT $2
        """;

    /// <summary>
    /// Budgets ordered by principal, <paramref name="limit"/> (1 to 1000) at a time, each as
    /// <see cref="GetBudgetStatusAsync(string, CancellationToken)"/> reads it. Pass the page's
    /// NextCursor back for the next page.
    /// </summary>
    public async Task<Page<BudgetStatus>> ListBudgetsAsync(int limit = 100, string? cursor = null, CancellationToken cancellationToken = default)
    {
        PageCursor.CheckLimit(limit);
        const string scope = "principal_budgets";
        var after = cursor is null ? null : PageCursor.Decode(cursor, scope, 1)[0];
        try
        {
            var command = dataSource.CreateCommand(ListSql);
            await using var commandDisposal = command.ConfigureAwait(false);
            command.Parameters.Add(Text(after));
            command.Parameters.Add(new NpgsqlParameter { Value = limit + 1, NpgsqlDbType = NpgsqlDbType.Integer });
            var budgets = new List<BudgetStatus>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                budgets.Add(ReadStatus(reader));
            }

            if (budgets.Count <= limit)
            {
                return new Page<BudgetStatus>(budgets, null);
            }

            budgets.RemoveAt(limit);
            return new Page<BudgetStatus>(budgets, PageCursor.Encode(scope, budgets[^1].Principal));
        }
        catch (NpgsqlException ex)
        {
            throw CostErrors.Translate(ex, "listing budgets");
        }
    }

    private static BudgetStatus ReadStatus(NpgsqlDataReader reader)
    {
        var reserved = reader.GetDecimal(7);
        return new BudgetStatus
        {
            Principal = reader.GetString(0),
            Currency = reader.GetString(1).Trim(),
            TimeZone = reader.GetString(2),
            Daily = new BudgetWindow(BudgetWindowKind.Daily, reader.GetFieldValue<DateTimeOffset>(8), reader.GetFieldValue<DateTimeOffset>(9),
                NullableDecimal(reader, 3), reader.GetDecimal(5), reserved),
            Monthly = new BudgetWindow(BudgetWindowKind.Monthly, reader.GetFieldValue<DateTimeOffset>(10), reader.GetFieldValue<DateTimeOffset>(11),
                NullableDecimal(reader, 4), reader.GetDecimal(6), reserved),
            UpdatedAt = reader.GetFieldValue<DateTimeOffset>(12),
        };
    }
}
