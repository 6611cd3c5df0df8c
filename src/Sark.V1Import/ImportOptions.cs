using Sark.Data.Schema;

namespace Sark.V1Import;

/// <summary>
/// The settings of the importer, planner, validator and rollback; the defaults suit a production
/// run.
/// </summary>
public sealed record ImportOptions
{
    /// <summary>v1 rows per batch; each batch is one transaction with its checkpoint.</summary>
    public int BatchSize { get; init; } = 5000;

    /// <summary>Rows listed per action in reports; counts are always complete.</summary>
    public int RowsListed { get; init; } = 1000;

    /// <summary>
    /// Times each kind of statement (sent one by one rather than as one batch, so a little
    /// slower); the totals come back in <see cref="ImportResult.StatementMilliseconds"/>.
    /// </summary>
    public bool TimeStatements { get; init; }

    /// <summary>
    /// How long to wait for the migration lock (held by a schema change) and for the v1 import lock
    /// (held by another execute or rollback) before giving up naming the holder.
    /// </summary>
    public TimeSpan LockWait { get; init; } = DataJobLock.DefaultWait;

    /// <summary>Recorded in v1_import_runs.started_by after the database user.</summary>
    public string StartedBy { get; init; } = $"{Environment.UserName}@{Environment.MachineName}";
}
