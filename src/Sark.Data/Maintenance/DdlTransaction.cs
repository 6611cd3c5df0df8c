using System.Globalization;
using Npgsql;

namespace Sark.Data.Maintenance;

/// <summary>
/// Runs one piece of DDL in a transaction of its own under the job's lock_timeout. A lock that
/// cannot be had in time (SQLSTATE 55P03) rolls the transaction back and is reported as
/// <see cref="MaintenanceActionKinds.LockUnavailable"/>, not thrown: the next run tries again.
/// </summary>
internal static class DdlTransaction
{
    /// <summary>True when <paramref name="work"/> committed; false when a lock was not available.</summary>
    public static async Task<bool> RunAsync(
        MaintenanceContext context, string target, string doing, Func<NpgsqlTransaction, Task<bool>> work, CancellationToken cancellationToken)
    {
        var connection = context.Connection;
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionDisposal = transaction.ConfigureAwait(false);
        try
        {
            var milliseconds = (long)context.Options.LockTimeout.TotalMilliseconds;
            using (var setting = new NpgsqlCommand(
                string.Create(CultureInfo.InvariantCulture, $"SET LOCAL lock_timeout = '{milliseconds}ms'"), connection, transaction))
            {
                await setting.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (await work(transaction).ConfigureAwait(false))
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            context.Report(MaintenanceActionKinds.LockUnavailable, target, null,
                $"{context.Step}: could not {doing}: a lock on {target} or its table was not available within {Show(context.Options.LockTimeout)} (lock_timeout); nothing changed, the next run tries again");
            return false;
        }
    }

    public static async Task<long> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static string Show(TimeSpan duration) => duration.TotalSeconds >= 1 && duration.Ticks % TimeSpan.TicksPerSecond == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalSeconds} s")
        : string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalMilliseconds} ms");
}
