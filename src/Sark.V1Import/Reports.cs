using Sark.Data.Errors;

namespace Sark.V1Import;

/// <summary>One v1 row the tool reports: what it would do or did with it, and why.</summary>
/// <param name="Action">
/// What happens to the row: <c>update</c>, <c>invalid</c>, <c>conflict</c>, <c>duplicate</c>, <c>remove</c>,
/// <c>kept</c>, <c>changed</c> or <c>in use</c>.
/// </param>
/// <param name="SourceId">The v1 row's id.</param>
/// <param name="TargetId">The v2 row's id (the same id: the mapping keeps it).</param>
/// <param name="Detail">The reason, or for an update the fields that change.</param>
public sealed record RowNote(string Action, Guid SourceId, string TargetId, string Detail);

/// <summary>What a dry run found for one v2 table.</summary>
/// <param name="Table">The v2 table (<c>resources</c>, <c>capabilities</c>).</param>
/// <param name="Source">The v1 table it is filled from.</param>
/// <param name="Counts">
/// Rows per action (<c>insert</c>, <c>update</c>, <c>unchanged</c>, <c>invalid</c>, <c>conflict</c>,
/// <c>duplicate</c>, <c>remove</c>, <c>kept</c>); only actions that occur.
/// </param>
/// <param name="ChangedFields">For updates, how many rows change each field.</param>
/// <param name="Rows">Up to <see cref="ImportOptions.RowsListed"/> rows per action, except inserts and unchanged rows.</param>
public sealed record TablePlan(
    string Table,
    string Source,
    IReadOnlyDictionary<string, long> Counts,
    IReadOnlyDictionary<string, long> ChangedFields,
    IReadOnlyList<RowNote> Rows)
{
    /// <summary>
    /// How many rows the plan puts under <paramref name="action"/> (<c>insert</c>, <c>invalid</c>
    /// …); 0 for none.
    /// </summary>
    public long Count(string action) => Counts.GetValueOrDefault(action);
}

/// <summary>A dry run: nothing written, the plan per table.</summary>
/// <param name="Source">The v1 shape the mapping read.</param>
/// <param name="Tables">The plan per v2 table.</param>
/// <param name="RowsListedPerAction">At most how many rows each action lists.</param>
public sealed record DryRunReport(V1Source Source, IReadOnlyList<TablePlan> Tables, int RowsListedPerAction);

/// <summary>What one <see cref="Importer.ExecuteAsync"/> did, per table.</summary>
/// <param name="RunId">The run in <c>v1_import_runs</c>.</param>
/// <param name="Resumed">Whether it continued a run that had not finished.</param>
/// <param name="Tables">The counters per v2 table, over the whole run.</param>
/// <param name="Issues">v1 rows not migrated and why, up to <see cref="ImportOptions.RowsListed"/> per kind.</param>
/// <param name="Elapsed">How long this call took.</param>
public sealed record ImportResult(
    long RunId, bool Resumed, IReadOnlyDictionary<string, ImportCounts> Tables, IReadOnlyList<RowNote> Issues, TimeSpan Elapsed)
{
    /// <summary>With <see cref="ImportOptions.TimeStatements"/>: milliseconds per step, summed over batches.</summary>
    public IReadOnlyDictionary<string, double> StatementMilliseconds { get; init; } = new Dictionary<string, double>();
}

/// <summary>Counters of one table in a run; kept in v1_import_runs.counts so a resumed run continues them.</summary>
public sealed class ImportCounts
{
    /// <summary>v1 rows read.</summary>
    public long Read { get; set; }

    /// <summary>v2 rows inserted.</summary>
    public long Inserted { get; set; }

    /// <summary>v2 rows updated because their v1 row changed since an earlier run.</summary>
    public long Updated { get; set; }

    /// <summary>v1 rows whose v2 row was already up to date.</summary>
    public long Unchanged { get; set; }

    /// <summary>v1 rows not migrated because they break a v2 rule; each is an issue with its reason.</summary>
    public long Invalid { get; set; }

    /// <summary>v1 rows not migrated because a native v2 row has their id.</summary>
    public long Conflicts { get; set; }

    /// <summary>
    /// v1 rows not migrated because another row of theirs maps to the same v2 key (a tool name
    /// twice on one server).
    /// </summary>
    public long Duplicates { get; set; }

    /// <summary>v2 rows this tool wrote earlier whose v1 row is gone or no longer maps, removed.</summary>
    public long Removed { get; set; }
}

/// <summary>Progress after each batch: which phase, rows done of the total.</summary>
/// <param name="Phase"><c>mapping</c>, then <c>cleanup</c>, <c>servers</c>, <c>tools</c> and <c>done</c>.</param>
/// <param name="Done">v1 rows read so far.</param>
/// <param name="Total">v1 rows in all.</param>
public sealed record ImportProgress(string Phase, long Done, long Total);

/// <summary>One validation check and its result; <see cref="Summary"/> may name a fix in host terms.</summary>
/// <param name="Name">What was checked (<c>resources: fields match the mapping</c>).</param>
/// <param name="Passed">Whether the check passed.</param>
/// <param name="Count">The rows the check counted.</param>
/// <param name="Summary">One line: <c>ok</c>, or what is wrong and the fix.</param>
/// <param name="Details">The rows concerned, one per line; may be empty.</param>
public sealed record ValidationCheck(string Name, bool Passed, long Count, SarkMessage Summary, IReadOnlyList<string> Details);

/// <summary>What validation checked, one result per check.</summary>
/// <param name="Checks">Every check, in the order run.</param>
public sealed record ValidationReport(IReadOnlyList<ValidationCheck> Checks)
{
    /// <summary>Whether every check passed.</summary>
    public bool Passed => Checks.All(c => c.Passed);
}

/// <summary>What rollback removed (or would remove) and what it kept, and why.</summary>
/// <param name="DryRun">Whether nothing was removed (only reported).</param>
/// <param name="Forced">Whether rows changed since they were written were removed too.</param>
/// <param name="Removed">Rows removed (or that would be) per v2 table.</param>
/// <param name="Kept">Rows kept and why, up to <see cref="ImportOptions.RowsListed"/>.</param>
public sealed record RollbackReport(bool DryRun, bool Forced, IReadOnlyDictionary<string, long> Removed, IReadOnlyList<RowNote> Kept)
{
    /// <summary>All kept rows; <see cref="Kept"/> lists at most <see cref="ImportOptions.RowsListed"/>.</summary>
    public long KeptTotal { get; init; }
}
