using System.Data;
using Npgsql;

namespace Sark.Data.Connection;

/// <summary>
/// Clean-up that must not hide why a job stopped. When a session ends mid-job (pg_terminate_backend,
/// a failover, the network gone) PostgreSQL has already rolled back its transaction and released its
/// session-level locks; clean-up that runs in a <c>catch</c> or <c>finally</c> then finds the
/// connection closed, and an error about that would replace the one that ended the session.
/// </summary>
internal static class EndedSession
{
    public static bool HasEnded(NpgsqlConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.FullState != ConnectionState.Open;
    }

    /// <summary>Rolls back, unless the session has ended (and with it the transaction).</summary>
    public static async Task RollbackUnlessEndedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        // Asked of the connection: a transaction whose connection broke reports itself disposed.
        if (!HasEnded(connection))
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
