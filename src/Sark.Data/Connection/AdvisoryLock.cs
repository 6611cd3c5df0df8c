using Npgsql;
using Sark.Data.Errors;

namespace Sark.Data.Connection;

/// <summary>Which job a lock serialises; <see cref="ObjectKey"/> is its objid in pg_locks.</summary>
public sealed record AdvisoryLockKey(int ObjectKey, string Purpose);

/// <summary>
/// Session-level advisory locks that serialise sark's jobs per database. Session-level (not
/// transaction-level) because non-transactional migrations such as CREATE INDEX CONCURRENTLY, and the
/// v1 import's many batch transactions, run while the lock must stay held.
/// </summary>
public static class AdvisoryLock
{
    // Two-key form, so the locks are easy to recognise in pg_locks: classid 'SARK', objid per job.
    public const int ClassKey = 0x5341524B;

    public static readonly AdvisoryLockKey Migrations = new(1, "the migration lock");

    public static readonly AdvisoryLockKey V1Import = new(2, "the v1 import lock (another sark migrate-v1 is running)");

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

    public static async Task AcquireAsync(NpgsqlConnection connection, AdvisoryLockKey key, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + wait;
        await using var tryLock = new NpgsqlCommand("SELECT pg_try_advisory_lock($1, $2)", connection);
        tryLock.Parameters.Add(new NpgsqlParameter { Value = ClassKey });
        tryLock.Parameters.Add(new NpgsqlParameter { Value = key.ObjectKey });
        while (true)
        {
            if ((bool)(await tryLock.ExecuteScalarAsync(cancellationToken))!)
            {
                return;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new SarkException(await DescribeTimeoutAsync(connection, key, wait, cancellationToken));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    public static async Task ReleaseAsync(NpgsqlConnection connection, AdvisoryLockKey key, CancellationToken cancellationToken)
    {
        await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1, $2)", connection);
        unlock.Parameters.Add(new NpgsqlParameter { Value = ClassKey });
        unlock.Parameters.Add(new NpgsqlParameter { Value = key.ObjectKey });
        await unlock.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task<string> DescribeTimeoutAsync(NpgsqlConnection connection, AdvisoryLockKey key, TimeSpan wait, CancellationToken cancellationToken)
    {
        await using var holder = new NpgsqlCommand(HolderSql, connection);
        holder.Parameters.Add(new NpgsqlParameter { Value = (long)ClassKey });
        holder.Parameters.Add(new NpgsqlParameter { Value = (long)key.ObjectKey });
        await using var reader = await holder.ExecuteReaderAsync(cancellationToken);
        var waited = $"timed out after {wait.TotalSeconds:0.#} s waiting for {key.Purpose}";
        if (!await reader.ReadAsync(cancellationToken))
        {
            return $"{waited}; its holder has just released it, try again";
        }

        return $"{waited} held by pid {reader.GetInt32(0)} (application_name '{reader.GetString(1)}', user '{reader.GetString(2)}', from {reader.GetString(3)}, connected {reader.GetDateTime(4):yyyy-MM-dd HH:mm:ss}Z); wait for it to finish, or end it with SELECT pg_terminate_backend({reader.GetInt32(0)})";
    }
}
