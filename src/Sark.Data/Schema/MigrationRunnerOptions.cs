namespace Sark.Data.Schema;

/// <summary>Timeouts the runner applies; the CLI exposes each one as an option.</summary>
public sealed record MigrationRunnerOptions
{
    /// <summary>
    /// How long one DDL statement may wait for a table lock. Short, so a migration queued behind a
    /// long query fails fast instead of blocking every later query on that table.
    /// </summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one statement may run.</summary>
    public TimeSpan StatementTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How long to wait for another runner's migration lock before giving up.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Recorded in the journal's applied_by after the database user: "sark (root@host)".</summary>
    public string AppliedBy { get; init; } = $"{Environment.UserName}@{Environment.MachineName}";
}
