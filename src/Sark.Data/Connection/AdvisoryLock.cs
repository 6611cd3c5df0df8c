using Npgsql;
using Sark.Data.Errors;

namespace Sark.Data.Connection;

/// <summary>Which job a lock serialises; <see cref="ObjectKey"/> is its objid in pg_locks.</summary>
/// <param name="ObjectKey">The lock's objid under <see cref="AdvisoryLock.ClassKey"/>.</param>
/// <param name="Purpose">What the lock is for, as messages name it ("the migration lock").</param>
public sealed record AdvisoryLockKey(int ObjectKey, SarkMessage Purpose);

/// <summary>
/// How a lock is held. Shared holders run side by side and exclude every exclusive holder; an
/// exclusive holder excludes everyone (pg_locks shows ShareLock and ExclusiveLock).
/// </summary>
public enum AdvisoryLockMode
{
    /// <summary>One holder, no one beside it: schema changes, the v1 import.</summary>
    Exclusive,
    /// <summary>Many holders side by side: the data jobs a migration must not run under.</summary>
    Shared,
}

/// <summary>
/// Session-level advisory locks that serialise sark's jobs per database. Session-level (not
/// transaction-level) because non-transactional migrations such as CREATE INDEX CONCURRENTLY, and the
/// v1 import's many batch transactions, run while the lock must stay held.
/// </summary>
public static class AdvisoryLock
{
    /// <summary>
    /// The classid of every sark advisory lock in pg_locks ('SARK'); the objid names the job. The
    /// two-key form makes sark's locks easy to recognise there.
    /// </summary>
    public const int ClassKey = 0x5341524B;

    /// <summary>Schema changes hold it exclusively, data jobs shared (see <c>DataJobLock</c>).</summary>
    public static readonly AdvisoryLockKey Migrations = new(1, "the migration lock");

    /// <summary>Held exclusively by the v1 import, so two imports never write the same rows.</summary>
    public static readonly AdvisoryLockKey V1Import = new(2, $"the v1 import lock (another {SarkTerms.V1ImportJob} is running)");

    /// <summary>Held exclusively by the benchmark (<c>sark bench</c>), so two runs never measure each other or generate the same data.</summary>
    public static readonly AdvisoryLockKey Benchmark = new(3, "the benchmark lock (another benchmark is running)");

    // The exclusive holder first (there is at most one); among shared holders the oldest session.
    private const string HolderSql = """
        SELECT a.pid, coalesce(nullif(a.application_name, ''), '(none)'), coalesce(a.usename::text, ''),
               coalesce(host(a.client_addr), 'local'), a.backend_start, l.mode = 'ShareLock', count(*) OVER ()
        FROM pg_locks l
        JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid()
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 2
        ORDER BY l.mode = 'ShareLock', a.backend_start
        LIMIT 1
        """;

    /// <summary>Takes the lock exclusively, waiting at most <paramref name="wait"/>.</summary>
    public static Task AcquireAsync(NpgsqlConnection connection, AdvisoryLockKey key, TimeSpan wait, CancellationToken cancellationToken) =>
        AcquireAsync(connection, key, AdvisoryLockMode.Exclusive, wait, null, cancellationToken);

    /// <summary>
    /// Polls every 200 ms for at most <paramref name="wait"/>, then fails naming the holder.
    /// <paramref name="waiting"/> hears once, after the first refused attempt, who is being waited for.
    /// </summary>
    public static async Task AcquireAsync(
        NpgsqlConnection connection, AdvisoryLockKey key, AdvisoryLockMode mode, TimeSpan wait, IProgress<LockWaiting>? waiting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        // A wait beyond what a DateTime can hold means: wait as long as it takes.
        var deadline = wait >= DateTime.MaxValue - DateTime.UtcNow ? DateTime.MaxValue : DateTime.UtcNow + wait;
        var function = mode == AdvisoryLockMode.Shared ? "pg_try_advisory_lock_shared" : "pg_try_advisory_lock";
        using var tryLock = KeyCommand($"SELECT {function}($1, $2)", connection, key);
        var told = false;
        while (true)
        {
            if ((bool)(await tryLock.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return;
            }

            // Told before the deadline is checked, so even a short wait says whom it waited for.
            if (waiting is not null && !told && wait > TimeSpan.Zero && await FindHolderAsync(connection, key, cancellationToken).ConfigureAwait(false) is { } current)
            {
                waiting.Report(new LockWaiting(key, wait, current));
                told = true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                SarkMessage waited = $"timed out after {wait.TotalSeconds:0.#} s waiting for {key.Purpose}";
                if (await FindHolderAsync(connection, key, cancellationToken).ConfigureAwait(false) is { } holder)
                {
                    throw new SarkException(
                        SarkErrorKind.Timeout, $"{waited} held by {holder.Description}; wait for it to finish, or end it with SELECT pg_terminate_backend({holder.Pid})");
                }

                throw new SarkException(SarkErrorKind.Timeout, $"{waited}; its holder has just released it, try again");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Releases an exclusively held lock.</summary>
    public static Task ReleaseAsync(NpgsqlConnection connection, AdvisoryLockKey key, CancellationToken cancellationToken) =>
        ReleaseAsync(connection, key, AdvisoryLockMode.Exclusive, cancellationToken);

    /// <summary>
    /// Releases the lock, or does nothing when the session has ended: PostgreSQL has released it
    /// already, and callers release in <c>finally</c> (see <see cref="EndedSession"/>).
    /// </summary>
    public static async Task ReleaseAsync(NpgsqlConnection connection, AdvisoryLockKey key, AdvisoryLockMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(key);
        if (EndedSession.HasEnded(connection))
        {
            return;
        }

        var function = mode == AdvisoryLockMode.Shared ? "pg_advisory_unlock_shared" : "pg_advisory_unlock";
        using var unlock = KeyCommand($"SELECT {function}($1, $2)", connection, key);
        await unlock.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlCommand KeyCommand(string sql, NpgsqlConnection connection, AdvisoryLockKey key)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = ClassKey });
        command.Parameters.Add(new NpgsqlParameter { Value = key.ObjectKey });
        return command;
    }

    /// <summary>Who holds the lock, or null when nobody does.</summary>
    private static async Task<LockHolder?> FindHolderAsync(NpgsqlConnection connection, AdvisoryLockKey key, CancellationToken cancellationToken)
    {
        using var holder = new NpgsqlCommand(HolderSql, connection);
        holder.Parameters.Add(new NpgsqlParameter { Value = (long)ClassKey });
        holder.Parameters.Add(new NpgsqlParameter { Value = (long)key.ObjectKey });
        var reader = await holder.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new LockHolder(
            reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetDateTime(4), reader.GetBoolean(5), reader.GetInt64(6) - 1);
    }
}
