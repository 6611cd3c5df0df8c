namespace Sark.Data.Maintenance;

/// <summary>The kinds of <see cref="MaintenanceAction"/> (its <see cref="MaintenanceAction.Kind"/>, as JSON shows them).</summary>
public static class MaintenanceActionKinds
{
    /// <summary>A monthly partition was created (attached to its table).</summary>
    public const string PartitionCreated = "partition_created";

    /// <summary>Rows were moved out of a DEFAULT partition into the partition just created for their month.</summary>
    public const string RowsMoved = "rows_moved";

    /// <summary>A partition wholly older than the retention period was dropped with its rows.</summary>
    public const string PartitionDropped = "partition_dropped";

    /// <summary>An expired partition still held rows inside the period (its bounds say otherwise): kept.</summary>
    public const string PartitionKept = "partition_kept";

    /// <summary>A DDL could not have its lock within the lock timeout; nothing changed, the next run tries again.</summary>
    public const string LockUnavailable = "lock_unavailable";

    /// <summary>Old rows of a bookkeeping table were deleted (federation request counters, say).</summary>
    public const string RowsDeleted = "rows_deleted";

    /// <summary>Rows of a bookkeeping table were updated (holds past their expiry marked expired).</summary>
    public const string RowsUpdated = "rows_updated";

    /// <summary>The cost rollups were recomputed over their window and mv_daily_cost_summary refreshed.</summary>
    public const string RollupsRefreshed = "rollups_refreshed";

    /// <summary>A step had nothing it could work on (a table not partitioned yet, say).</summary>
    public const string Skipped = "skipped";

    /// <summary>A step failed; the job went on with the next one and the run counts as failed.</summary>
    public const string Failed = "failed";
}

/// <summary>One thing a maintenance run did, or could not do.</summary>
/// <param name="Step">The step that did it, such as <c>partitions</c> or <c>retention</c>.</param>
/// <param name="Kind">One of <see cref="MaintenanceActionKinds"/>.</param>
/// <param name="Target">The table or partition concerned.</param>
/// <param name="Rows">Rows moved, dropped or deleted, when the action concerns rows.</param>
/// <param name="Message">One line saying what happened, as <c>sark maintain</c> prints it.</param>
public sealed record MaintenanceAction(string Step, string Kind, string Target, long? Rows, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Message;
}

/// <summary>What one run of <see cref="MaintenanceJob"/> did.</summary>
public sealed class MaintenanceReport
{
    private readonly List<MaintenanceAction> actions = [];

    internal MaintenanceReport(DateTimeOffset startedAt) => StartedAt = startedAt;

    /// <summary>When the run started (the local clock).</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>When the run ended.</summary>
    public DateTimeOffset FinishedAt { get; internal set; }

    /// <summary>
    /// Set when the run did nothing because another maintainer held the maintenance lock: it is
    /// doing (or has just done) the work, so this is not a failure. Says who held it.
    /// </summary>
    public string? SkippedBecause { get; internal set; }

    /// <summary>Everything the run did, in order.</summary>
    public IReadOnlyList<MaintenanceAction> Actions => actions;

    /// <summary>Whether a step failed (see <see cref="MaintenanceActionKinds.Failed"/>).</summary>
    public bool HasFailures => actions.Exists(a => a.Kind == MaintenanceActionKinds.Failed);

    /// <summary>Whether a DDL could not have its lock (it is tried again next run).</summary>
    public bool HasLockTimeouts => actions.Exists(a => a.Kind == MaintenanceActionKinds.LockUnavailable);

    internal void Add(MaintenanceAction action) => actions.Add(action);
}
