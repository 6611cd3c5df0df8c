using Npgsql;
using NpgsqlTypes;
using Sark.Data.Connection;
using Sark.Data.Errors;

namespace Sark.Data.Costs;

public sealed partial class CostLedger
{
    private const string ReserveSql = """
        SELECT state, replayed, expires_at, currency, denied_limit, limit_amount, spent, reserved
        FROM sark_reserve($1, $2, $3, $4, $5, $6, $7, $8, $9)
        """;

    /// <summary>
    /// Holds <see cref="ReservationRequest.Estimate"/> against the principal's limits until it is
    /// settled, released or expires (<see cref="ReservationRequest.TimeToLive"/>); denied like a
    /// charge when it does not fit (with a <c>cost_limit_exceeded</c> audit event). A retry with
    /// the same id returns the hold as it is now; the same id with another principal,
    /// resource, capability, estimate or currency is refused with an <see cref="IdReusedException"/>. An expired hold stops counting at once, before
    /// <see cref="ExpireReservationsAsync"/> marks it.
    /// </summary>
    public Task<ReservationResult> ReserveAsync(ReservationRequest request, CancellationToken cancellationToken = default) =>
        ReserveAtAsync(request, null, cancellationToken);

    /// <summary>As <see cref="ReserveAsync(ReservationRequest, CancellationToken)"/> at <paramref name="at"/> (tests).</summary>
    internal async Task<ReservationResult> ReserveAtAsync(ReservationRequest request, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = CostInput.Id(request.ReservationId, "reservation id");
        var principal = CostInput.Id(request.Principal, "principal");
        var resource = CostInput.Id(request.Resource, "resource");
        var capability = CostInput.Id(request.Capability, "capability");
        var estimate = CostInput.Amount(request.Estimate, "estimate");
        var currency = CostInput.Currency(request.Currency);
        var ttl = CostInput.TimeToLive(request.TimeToLive);
        var metadata = CostInput.Metadata(request.Metadata);
        try
        {
            var statement = await PreparedQuery.OpenAsync(dataSource, ReserveSql, p =>
            {
                p.Add(Text(id));
                p.Add(Text(principal));
                p.Add(Text(resource));
                p.Add(Text(capability));
                p.Add(Numeric(estimate));
                p.Add(Text(currency));
                p.Add(new NpgsqlParameter { Value = ttl, NpgsqlDbType = NpgsqlDbType.Interval });
                p.Add(new NpgsqlParameter { Value = metadata, NpgsqlDbType = NpgsqlDbType.Jsonb });
                p.Add(Instant(at));
            }, cancellationToken).ConfigureAwait(false);
            await using var statementDisposal = statement.ConfigureAwait(false);
            var reader = await statement.Command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var budgetCurrency = reader.GetString(3).Trim();
            var denial = reader.IsDBNull(4) ? null : new BudgetDenial(
                principal, WindowOf(reader.GetString(4)), reader.GetDecimal(5), reader.GetDecimal(6), reader.GetDecimal(7), estimate, budgetCurrency);
            var result = new ReservationResult
            {
                ReservationId = id,
                Principal = principal,
                State = Enum.Parse<ReservationState>(reader.GetString(0), ignoreCase: true),
                Replayed = reader.GetBoolean(1),
                Estimate = estimate,
                Currency = budgetCurrency,
                ExpiresAt = reader.GetFieldValue<DateTimeOffset>(2),
                Reserved = reader.GetDecimal(7),
                Denial = denial,
            };
            if (denial is not null && !result.Replayed)
            {
                logger.Denied("reservation", id, estimate, budgetCurrency, principal, denial.LimitName, denial.LimitAmount);
            }

            return result;
        }
        catch (NpgsqlException ex)
        {
            throw CostErrors.Translate(ex, $"reserving for principal '{principal}' (reservation '{id}')", id);
        }
    }

    private const string FinishSql = """
        SELECT principal_id, estimate, actual, currency, cost_id, cost_timestamp, daily_limit, monthly_limit, daily_spent, monthly_spent
        FROM sark_finish_reservation($1, $2, $3, $4, $5)
        """;

    /// <summary>
    /// Settles a pending hold with <paramref name="actualCost"/>: writes the cost row and charges the
    /// budget, the hold no longer counting. An actual cost above the estimate is recorded even past
    /// the limit, and reported (<see cref="ReservationEnd.Overrun"/>, <see cref="ReservationEnd.OverLimit"/>).
    /// A hold is settled or released once: again is a <see cref="SarkErrorKind.Conflict"/>, as is an
    /// expired one; an unknown id is <see cref="SarkErrorKind.NotFound"/>.
    /// </summary>
    public Task<ReservationEnd> SettleAsync(string reservationId, decimal actualCost, string? metadata = null, CancellationToken cancellationToken = default) =>
        FinishAsync(reservationId, settle: true, actualCost, metadata, null, cancellationToken);

    /// <summary>Releases a pending hold: nothing is charged. Settled, released or expired holds are a <see cref="SarkErrorKind.Conflict"/>.</summary>
    public Task<ReservationEnd> ReleaseAsync(string reservationId, CancellationToken cancellationToken = default) =>
        FinishAsync(reservationId, settle: false, null, null, null, cancellationToken);

    /// <summary>Settles (<paramref name="settle"/>) or releases at <paramref name="at"/> (null: the database clock).</summary>
    internal async Task<ReservationEnd> FinishAsync(
        string reservationId, bool settle, decimal? actualCost, string? metadata, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        var id = CostInput.Id(reservationId, "reservation id");
        var actual = settle ? CostInput.Amount(actualCost ?? throw new ArgumentNullException(nameof(actualCost)), "actual cost") : (decimal?)null;
        var extra = metadata is null ? null : CostInput.Metadata(metadata);
        var what = settle ? "settling" : "releasing";
        try
        {
            var statement = await PreparedQuery.OpenAsync(dataSource, FinishSql, p =>
            {
                p.Add(Text(id));
                p.Add(new NpgsqlParameter { Value = settle });
                p.Add(Numeric(actual));
                p.Add(new NpgsqlParameter { Value = (object?)extra ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb });
                p.Add(Instant(at));
            }, cancellationToken).ConfigureAwait(false);
            await using var statementDisposal = statement.ConfigureAwait(false);
            var reader = await statement.Command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var end = new ReservationEnd
            {
                ReservationId = id,
                Principal = reader.GetString(0),
                State = settle ? ReservationState.Settled : ReservationState.Released,
                Estimate = reader.GetDecimal(1),
                Actual = actual,
                Currency = reader.GetString(3).Trim(),
                CostId = reader.IsDBNull(4) ? null : reader.GetInt64(4),
                CostTimestamp = reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                DailyLimit = NullableDecimal(reader, 6),
                MonthlyLimit = NullableDecimal(reader, 7),
                DailySpent = reader.GetDecimal(8),
                MonthlySpent = reader.GetDecimal(9),
            };
            if (end.Overrun > 0)
            {
                logger.Overrun(id, end.Principal, end.Overrun, end.Currency);
            }

            return end;
        }
        catch (NpgsqlException ex)
        {
            throw CostErrors.Translate(ex, $"{what} reservation '{id}'", id);
        }
    }
}
