using Sark.Data.Errors;

namespace Sark.V1Import;

/// <summary>One v1 row the tool reports: what it would do or did with it, and why.</summary>
public sealed record RowNote(string Action, Guid SourceId, string TargetId, string Detail);

/// <summary>What a dry run found for one v2 table.</summary>
public sealed record TablePlan(
    string Table,
    string Source,
    IReadOnlyDictionary<string, long> Counts,
    IReadOnlyDictionary<string, long> ChangedFields,
    IReadOnlyList<RowNote> Rows)
{
    public long Count(string action) => Counts.GetValueOrDefault(action);
}

/// <summary>A dry run: nothing written, the plan per table.</summary>
public sealed record DryRunReport(V1Source Source, IReadOnlyList<TablePlan> Tables, int RowsListedPerAction);

/// <summary>What one --execute did, per table.</summary>
public sealed record ImportResult(
    long RunId, bool Resumed, IReadOnlyDictionary<string, ImportCounts> Tables, IReadOnlyList<RowNote> Issues, TimeSpan Elapsed)
{
    /// <summary>With <see cref="ImportOptions.TimeStatements"/>: milliseconds per step, summed over batches.</summary>
    public IReadOnlyDictionary<string, double> StatementMilliseconds { get; init; } = new Dictionary<string, double>();
}

/// <summary>Counters of one table in a run; kept in v1_import_runs.counts so a resumed run continues them.</summary>
public sealed class ImportCounts
{
    public long Read { get; set; }

    public long Inserted { get; set; }

    public long Updated { get; set; }

    public long Unchanged { get; set; }

    public long Invalid { get; set; }

    public long Conflicts { get; set; }

    public long Duplicates { get; set; }

    public long Removed { get; set; }
}

/// <summary>Progress after each batch: which phase, rows done of the total.</summary>
public sealed record ImportProgress(string Phase, long Done, long Total);

/// <summary>One validation check and its result; <see cref="Summary"/> may name a fix in host terms.</summary>
public sealed record ValidationCheck(string Name, bool Passed, long Count, SarkMessage Summary, IReadOnlyList<string> Details);

public sealed record ValidationReport(IReadOnlyList<ValidationCheck> Checks)
{
    public bool Passed => Checks.All(c => c.Passed);
}

/// <summary>What rollback removed (or would remove) and what it kept, and why.</summary>
public sealed record RollbackReport(bool DryRun, bool Forced, IReadOnlyDictionary<string, long> Removed, IReadOnlyList<RowNote> Kept)
{
    /// <summary>All kept rows; <see cref="Kept"/> lists at most <see cref="ImportOptions.RowsListed"/>.</summary>
    public long KeptTotal { get; init; }
}
