using Npgsql;
using Sark.Data.Connection;

namespace Sark.Testing;

/// <summary>
/// Ends a sark job's database session in the middle of a statement, the way an operator (or a
/// failover) does. The test first blocks one of the job's tables with <see cref="BlockTableAsync"/>;
/// <see cref="TerminateHolderAsync"/> waits until the backend holding one of sark's advisory locks
/// is stuck behind that block, terminates it there (so the job reads PostgreSQL's FATAL 57P01, not
/// a race with an idle socket) and waits until the backend is gone.
/// </summary>
public static class SessionTerminator
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    /// <summary>A transaction holding ACCESS EXCLUSIVE on <paramref name="table"/>; dispose it to let go.</summary>
    public static async Task<NpgsqlTransaction> BlockTableAsync(NpgsqlConnection connection, string table)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand($"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE", connection, transaction);
        await command.ExecuteNonQueryAsync();
        return transaction;
    }

    /// <summary>Terminates the holder of <paramref name="key"/> once it waits for a table lock; returns its pid.</summary>
    public static async Task<int> TerminateHolderAsync(TestDatabase database, AdvisoryLockKey key)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(key);
        var deadline = DateTime.UtcNow + Patience;
        var pid = 0;
        while (pid == 0)
        {
            pid = await database.ScalarAsync<int>($"""
                SELECT coalesce(max(l.pid), 0) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND l.classid = {AdvisoryLock.ClassKey} AND l.objid = {key.ObjectKey} AND a.wait_event_type = 'Lock'
                """);
            await WaitAsync(deadline, $"the holder of {key.Purpose} to wait for a table lock");
        }

        await database.ExecuteAsync($"SELECT pg_terminate_backend({pid})");
        while (await database.ScalarAsync<bool>($"SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = {pid})"))
        {
            await WaitAsync(deadline, $"backend {pid} to end after pg_terminate_backend");
        }

        return pid;
    }

    private static async Task WaitAsync(DateTime deadline, string what)
    {
        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException($"waited {Patience.TotalSeconds} s for {what}");
        }

        await Task.Delay(50);
    }
}
