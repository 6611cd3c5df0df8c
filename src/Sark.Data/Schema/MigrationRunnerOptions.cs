namespace Sark.Data.Schema;

/// <summary>
/// Timeouts the runner applies. A host sets them as <see cref="SarkOptions.Migrations"/> (the one
/// place they are configured); the CLI fills them from its options.
/// </summary>
public sealed record MigrationRunnerOptions
{
    /// <summary>
    /// Largest <see cref="LockTimeout"/> and <see cref="StatementTimeout"/>: PostgreSQL takes them
    /// in whole milliseconds up to 2,147,483,647 (24.8 days).
    /// </summary>
    public static readonly TimeSpan MaximumTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>
    /// How long one DDL statement may wait for a table lock. Short, so a migration queued behind a
    /// long query fails fast instead of blocking every later query on that table.
    /// </summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one statement may run.</summary>
    public TimeSpan StatementTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How long to wait for another runner's migration lock before giving up (zero: do not wait).</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Recorded in the journal's applied_by after the database user: "sark (root@host)".</summary>
    public string AppliedBy { get; init; } = $"{Environment.UserName}@{Environment.MachineName}";
}
