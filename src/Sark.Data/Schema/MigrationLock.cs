using Npgsql;
using Sark.Data.Errors;

namespace Sark.Data.Schema;

/// <summary>
/// The session-level advisory lock that serialises runners. Session-level (not transaction-level)
/// because non-transactional migrations such as CREATE INDEX CONCURRENTLY run outside any
/// transaction, on the same connection, while the lock must stay held.
/// </summary>
internal static class MigrationLock
{
    // Two-key form, so the lock is easy to recognise in pg_locks: classid 'SARK', objid 1.
    public const int ClassKey = 0x5341524B;
    public const int ObjectKey = 1;

    private const string HolderSql = """
        SELECT a.pid, coalesce(nullif(a.application_name, ''), '(none)'), coalesce(a.usename::text, ''),
               coalesce(host(a.client_addr), 'local'), a.backend_start
        FROM pg_locks l
        JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 2
        LIMIT 1
        """;

    public static async Task AcquireAsync(NpgsqlConnection connection, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + wait;
        await using var tryLock = new NpgsqlCommand("SELECT pg_try_advisory_lock($1, $2)", connection);
        tryLock.Parameters.Add(new NpgsqlParameter { Value = ClassKey });
        tryLock.Parameters.Add(new NpgsqlParameter { Value = ObjectKey });
        while (true)
        {
            if ((bool)(await tryLock.ExecuteScalarAsync(cancellationToken))!)
            {
                return;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new MigrationException(await DescribeTimeoutAsync(connection, wait, cancellationToken));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    public static async Task ReleaseAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1, $2)", connection);
        unlock.Parameters.Add(new NpgsqlParameter { Value = ClassKey });
        unlock.Parameters.Add(new NpgsqlParameter { Value = ObjectKey });
        await unlock.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task<string> DescribeTimeoutAsync(NpgsqlConnection connection, TimeSpan wait, CancellationToken cancellationToken)
    {
        await using var holder = new NpgsqlCommand(HolderSql, connection);
        holder.Parameters.Add(new NpgsqlParameter { Value = (long)ClassKey });
        holder.Parameters.Add(new NpgsqlParameter { Value = (long)ObjectKey });
        await using var reader = await holder.ExecuteReaderAsync(cancellationToken);
        var waited = $"timed out after {wait.TotalSeconds:0.#} s waiting for the migration lock";
        if (!await reader.ReadAsync(cancellationToken))
        {
            return $"{waited}; its holder has just released it, try again";
        }

        return $"{waited} held by pid {reader.GetInt32(0)} (application_name '{reader.GetString(1)}', user '{reader.GetString(2)}', from {reader.GetString(3)}, connected {reader.GetDateTime(4):yyyy-MM-dd HH:mm:ss}Z); wait for it to finish, or end it with SELECT pg_terminate_backend({reader.GetInt32(0)})";
    }
}
