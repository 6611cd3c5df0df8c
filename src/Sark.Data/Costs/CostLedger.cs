using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Sark.Data.Connection;

namespace Sark.Data.Costs;

/// <summary>
/// Cost attribution with budgets that cannot be overspent (SPEC §5): charges (a cost row and the
/// principal's budget in one transaction), budgets with daily and monthly limits in a time zone,
/// reservations (holds) with expiry, bulk ingestion, budget status. Every charge runs one database
/// function that locks the principal's budget row, rolls its windows, checks and charges: concurrent
/// charges can neither pass a limit nor lose an increment, and a retried charge id charges once.
/// Windows follow the database clock. Input is checked before a connection opens.
/// </summary>
public sealed partial class CostLedger(NpgsqlDataSource dataSource, ILogger<CostLedger>? logger = null)
{
    /// <summary>How long a hold lasts when the request does not say.</summary>
    public static readonly TimeSpan DefaultReservationTimeToLive = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long charge ids and finished reservations are kept by default (<see cref="PruneLedgerAsync"/>):
    /// a retry after that is a new charge. Gateways retry within minutes; 30 days also covers a
    /// replayed batch from a peer that was offline for weeks.
    /// </summary>
    public static readonly TimeSpan DefaultLedgerRetention = TimeSpan.FromDays(30);

    private readonly NpgsqlDataSource dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
    private readonly ILogger logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    internal const string ChargeSql = """
        SELECT outcome, replayed, cost_id, cost_timestamp, currency, daily_limit, monthly_limit,
               daily_spent, monthly_spent, reserved, denied_limit, limit_amount, spent
        FROM sark_charge($1, $2, $3, $4, $5, $6, $7, $8, $9)
        """;

    /// <summary>
    /// Writes the cost row and charges the principal's budget, or denies the charge when it would
    /// pass the daily or monthly limit given what is spent and held (then nothing is written to
    /// cost_tracking, a <c>cost_limit_exceeded</c> audit event is, and the result carries the
    /// <see cref="ChargeResult.Denial"/>). A principal without a budget is charged without limit and
    /// gets a budget row in the charge's currency. A retry with the same charge id returns the first
    /// outcome and charges nothing more, even when retries race; the same id with another principal,
    /// resource, capability, amount or currency is refused with an <see cref="IdReusedException"/>
    /// and writes nothing. A currency other than the budget's is a usage error. A charge still
    /// queued behind other charges of its principal (they go as one batch) when
    /// <paramref name="cancellationToken"/> is cancelled ends with an <see cref="OperationCanceledException"/>
    /// and is not sent; once sent, its outcome stands.
    /// </summary>
    public Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default) =>
        ChargeAtAsync(request, null, cancellationToken);

    /// <summary>As <see cref="ChargeAsync(ChargeRequest, CancellationToken)"/> at <paramref name="at"/> instead of the database clock (tests).</summary>
    internal Task<ChargeResult> ChargeAtAsync(ChargeRequest request, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var chargeId = CostInput.Id(request.ChargeId, "charge id");
        var principal = CostInput.Id(request.Principal, "principal");
        var resource = CostInput.Id(request.Resource, "resource");
        var capability = CostInput.Id(request.Capability, "capability");
        var estimated = CostInput.Amount(request.EstimatedCost, "estimated cost");
        var actual = CostInput.Amount(request.ActualCost, "actual cost");
        var currency = CostInput.Currency(request.Currency);
        var metadata = CostInput.Metadata(request.Metadata);
        var amount = actual ?? estimated
            ?? throw new Errors.UsageException($"charge '{chargeId}' has neither an actual nor an estimated cost; give at least one");
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<ChargeResult>(cancellationToken);
        }

        var call = new ChargeCall(chargeId, principal, resource, capability, estimated, actual, amount, currency, metadata, at, cancellationToken);
        return LazyInitializer.EnsureInitialized(ref combiner, () => new ChargeCombiner(RunChargesAsync)).ChargeAsync(call);
    }

    private ChargeCombiner? combiner;

    // A lone charge runs on its own (prepared, autocommit); charges that queued up together share
    // one transaction, and fall back to one each when that transaction fails.
    private async Task RunChargesAsync(IReadOnlyList<ChargeCall> batch)
    {
        if (batch.Count > 1)
        {
            try
            {
                var results = await ChargeTogetherAsync(batch).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Outcome.TrySetResult(results[i]);
                }

                return;
            }
            catch (PostgresException ex) when (!WaitedTooLong(ex))
            {
                // One of them raised: nothing of the batch stayed. Each runs alone below.
            }
            catch (NpgsqlException ex)
            {
                // A timeout, a lock_timeout or a lost connection is not one charge's fault: run
                // alone, each would wait as long again, one after the other (64 × the timeout for
                // the last). All get the error; a retry with the same charge id is safe either way.
                foreach (var call in batch)
                {
                    call.Outcome.TrySetException(CostErrors.Translate(ex, $"charging principal '{call.Principal}' (charge '{call.ChargeId}')", call.ChargeId));
                }

                return;
            }
        }

        foreach (var call in batch)
        {
            try
            {
                call.Outcome.TrySetResult(await ChargeAloneAsync(call).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                call.Outcome.TrySetException(ex is NpgsqlException npgsql
                    ? CostErrors.Translate(npgsql, $"charging principal '{call.Principal}' (charge '{call.ChargeId}')", call.ChargeId)
                    : ex);
            }
        }
    }

    // statement_timeout or a cancel (57014) and lock_timeout (55P03): the batch waited, no charge failed.
    private static bool WaitedTooLong(PostgresException ex) => ex.SqlState is PostgresErrorCodes.QueryCanceled or PostgresErrorCodes.LockNotAvailable;

    private async Task<ChargeResult> ChargeAloneAsync(ChargeCall call)
    {
        var statement = await PreparedQuery.OpenAsync(dataSource, ChargeSql, call.Bind, call.CancellationToken).ConfigureAwait(false);
        await using var statementDisposal = statement.ConfigureAwait(false);
        var reader = await statement.Command.ExecuteReaderAsync(call.CancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false);
        return ReadCharge(reader, call);
    }

    private async Task<List<ChargeResult>> ChargeTogetherAsync(IReadOnlyList<ChargeCall> batch)
    {
        // Not cancellable by one caller: the batch is everyone's.
        var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var commands = new NpgsqlBatch(connection);
        await using var commandsDisposal = commands.ConfigureAwait(false);
        foreach (var call in batch)
        {
            var command = new NpgsqlBatchCommand(ChargeSql);
            call.Bind(command.Parameters);
            commands.BatchCommands.Add(command);
        }

        // One implicit transaction (a batch ends with one Sync): one commit, one WAL flush.
        await commands.PrepareAsync().ConfigureAwait(false);
        var reader = await commands.ExecuteReaderAsync().ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var results = new List<ChargeResult>(batch.Count);
        foreach (var call in batch)
        {
            await reader.ReadAsync().ConfigureAwait(false);
            results.Add(ReadCharge(reader, call));
            await reader.NextResultAsync().ConfigureAwait(false);
        }

        return results;
    }

    private ChargeResult ReadCharge(NpgsqlDataReader reader, ChargeCall call)
    {
        var budgetCurrency = reader.GetString(4).Trim();
        var denial = reader.IsDBNull(10) ? null : new BudgetDenial(
            call.Principal, WindowOf(reader.GetString(10)), reader.GetDecimal(11), reader.GetDecimal(12), reader.GetDecimal(9), call.Amount, budgetCurrency);
        var result = new ChargeResult
        {
            ChargeId = call.ChargeId,
            Principal = call.Principal,
            Amount = call.Amount,
            Currency = budgetCurrency,
            Replayed = reader.GetBoolean(1),
            CostId = reader.IsDBNull(2) ? null : reader.GetInt64(2),
            CostTimestamp = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
            Denial = denial,
            DailyLimit = NullableDecimal(reader, 5),
            MonthlyLimit = NullableDecimal(reader, 6),
            DailySpent = reader.GetDecimal(7),
            MonthlySpent = reader.GetDecimal(8),
            Reserved = reader.GetDecimal(9),
        };
        if (denial is not null && !result.Replayed)
        {
            logger.Denied("charge", call.ChargeId, call.Amount, budgetCurrency, call.Principal, denial.LimitName, denial.LimitAmount);
        }

        return result;
    }

    internal static BudgetWindowKind WindowOf(string limit) => limit == "daily" ? BudgetWindowKind.Daily : BudgetWindowKind.Monthly;

    internal static NpgsqlParameter Text(string? value) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    internal static NpgsqlParameter Numeric(decimal? value) =>
        new() { Value = value is { } v ? v : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric };

    internal static NpgsqlParameter Instant(DateTimeOffset? value) =>
        new() { Value = value is { } v ? v.ToUniversalTime() : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    internal static decimal? NullableDecimal(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetDecimal(ordinal);
}
