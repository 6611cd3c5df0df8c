using Sark.Data.Errors;

namespace Sark.Data.Connection;

/// <summary>
/// A session holding an advisory lock, as pg_stat_activity shows it. <see cref="Shared"/>: held
/// by a data job; <see cref="OtherHolders"/>: how many more sessions hold it too.
/// </summary>
/// <param name="Pid">The holder's backend process id.</param>
/// <param name="ApplicationName">Its application_name, or "(none)".</param>
/// <param name="User">Its database user.</param>
/// <param name="Client">Its client address, or "local" for a socket.</param>
/// <param name="ConnectedAt">When its session started (UTC).</param>
/// <param name="Shared">Whether it holds the lock shared.</param>
/// <param name="OtherHolders">How many more sessions hold the lock.</param>
public sealed record LockHolder(int Pid, string ApplicationName, string User, string Client, DateTime ConnectedAt, bool Shared, long OtherHolders)
{
    /// <summary>"pid 8991 (application_name …, connected …Z)", as messages name the holder.</summary>
    public SarkMessage Description
    {
        get
        {
            var alsoHeldBy = OtherHolders > 0 ? $" and by {OtherHolders} other session(s)" : "";
            var session = $"pid {Pid} (application_name '{ApplicationName}', user '{User}', from {Client}, connected {ConnectedAt:yyyy-MM-dd HH:mm:ss}Z)";

            // Two returns, not a conditional expression: its arms would be strings, without the term.
            if (Shared)
            {
                return $"{session} in shared mode (a data job such as {SarkTerms.V1ImportJob}){alsoHeldBy}";
            }

            return $"{session}{alsoHeldBy}";
        }
    }
}

/// <summary>
/// Reported once when <see cref="AdvisoryLock.AcquireAsync(Npgsql.NpgsqlConnection, AdvisoryLockKey, AdvisoryLockMode, TimeSpan, IProgress{LockWaiting}?, CancellationToken)"/>
/// is refused the lock and starts waiting up to <see cref="Wait"/> for <see cref="Holder"/>.
/// </summary>
/// <param name="Key">The lock waited for.</param>
/// <param name="Wait">How long the caller waits at most.</param>
/// <param name="Holder">The session holding it (the exclusive holder first, else the oldest).</param>
public sealed record LockWaiting(AdvisoryLockKey Key, TimeSpan Wait, LockHolder Holder)
{
    /// <summary>The progress line: "waiting up to 60 s for the migration lock, held by pid …".</summary>
    public SarkMessage Message => $"waiting up to {Wait.TotalSeconds:0.#} s for {Key.Purpose}, held by {Holder.Description}";

    /// <summary>The progress line in the library's words.</summary>
    public override string ToString() => Message.ToString();
}
