using Npgsql;
using Sark.Data.Errors;

namespace Sark.Data.Costs;

public sealed partial class CostLedger
{
    private const string ExpireSql = """
        UPDATE budget_reservations SET state = 'expired', finished_at = now()
        WHERE state = 'pending' AND expires_at <= coalesce($1, now())
        """;

    /// <summary>
    /// Maintenance: marks pending holds past their expiry as expired and returns how many. They
    /// stopped counting against the limits when they expired; this only records it. A hold being
    /// settled at the same moment is either settled or expired, never both (the row lock decides).
    /// </summary>
    public Task<int> ExpireReservationsAsync(CancellationToken cancellationToken = default) =>
        ExpireReservationsAtAsync(null, cancellationToken);

    /// <summary>As <see cref="ExpireReservationsAsync(CancellationToken)"/> at <paramref name="at"/> (tests).</summary>
    internal async Task<int> ExpireReservationsAtAsync(DateTimeOffset? at, CancellationToken cancellationToken)
    {
        try
        {
            var command = dataSource.CreateCommand(ExpireSql);
            await using var commandDisposal = command.ConfigureAwait(false);
            command.Parameters.Add(Instant(at));
            var count = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            if (count > 0)
            {
                logger.Expired(count);
            }

            return count;
        }
        catch (NpgsqlException ex)
        {
            throw CostErrors.Translate(ex, "expiring reservations");
        }
    }

    private const string PruneSql = """
        WITH charges AS (
            DELETE FROM cost_charges WHERE created_at < now() - $1 RETURNING 1
        ), holds AS (
            DELETE FROM budget_reservations WHERE state <> 'pending' AND finished_at < now() - $1 RETURNING 1
        )
        SELECT (SELECT count(*) FROM charges)::int, (SELECT count(*) FROM holds)::int
        """;

    /// <summary>
    /// Maintenance: deletes charge ids and finished reservations older than <paramref name="retention"/>
    /// (default <see cref="DefaultLedgerRetention"/>, at least one day) by the database clock; returns
    /// how many rows went. A charge retried after its id was pruned is charged again.
    /// </summary>
    public async Task<int> PruneLedgerAsync(TimeSpan? retention = null, CancellationToken cancellationToken = default)
    {
        var keep = retention ?? DefaultLedgerRetention;
        if (keep < TimeSpan.FromDays(1))
        {
            throw new UsageException($"ledger retention {keep} is too short; expected at least 1 day, so a retried charge is still recognised");
        }

        try
        {
            var command = dataSource.CreateCommand(PruneSql);
            await using var commandDisposal = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter { Value = keep, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Interval });
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var (charges, holds) = (reader.GetInt32(0), reader.GetInt32(1));
            logger.Pruned(charges, holds, keep);
            return charges + holds;
        }
        catch (NpgsqlException ex)
        {
            throw CostErrors.Translate(ex, "pruning the charge ledger");
        }
    }
}
