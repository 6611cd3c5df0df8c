namespace Sark.Data.Schema;

/// <summary>Where one migration stands in a database's journal.</summary>
public enum MigrationState
{
    /// <summary>Applied, and the file still has the checksum the journal recorded.</summary>
    Applied,

    /// <summary>Recorded by adoption of an existing database rather than run by us.</summary>
    Baseline,

    /// <summary>Known to the binary, not applied yet.</summary>
    Pending,

    /// <summary>Applied, but the file changed since: refused until <see cref="MigrationRunner.RepairAsync"/>.</summary>
    Modified,

    /// <summary>In the journal but unknown to this binary: the database is newer.</summary>
    Unknown,
}

/// <summary>One migration of a <see cref="MigrationStatus"/>: known to this binary, recorded in the journal, or both.</summary>
/// <param name="Version">The migration's number.</param>
/// <param name="Name">Its id (<c>003_policies</c>).</param>
/// <param name="State">How the journal and the file agree.</param>
/// <param name="AppliedAt">When it was applied or baselined (UTC), or null while pending.</param>
/// <param name="AppliedBy">
/// The database role, then the runner's <see cref="MigrationRunnerOptions.AppliedBy"/> in brackets; null while pending.
/// </param>
/// <param name="DurationMs">How long it ran, or null (0 for a baseline).</param>
/// <param name="JournalChecksum">The checksum the journal recorded, or null while pending.</param>
/// <param name="FileChecksum">The checksum of this binary's file, or null for an unknown migration.</param>
public sealed record MigrationStatusEntry(
    int Version,
    string Name,
    MigrationState State,
    DateTime? AppliedAt,
    string? AppliedBy,
    int? DurationMs,
    string? JournalChecksum,
    string? FileChecksum);

/// <summary>Where a database stands against the migrations this binary knows.</summary>
/// <param name="CurrentVersion">The highest version in the journal; 0 without one.</param>
/// <param name="HeadVersion">The highest version this binary knows.</param>
/// <param name="Entries">Every known migration, then journal rows this binary does not know.</param>
public sealed record MigrationStatus(int CurrentVersion, int HeadVersion, IReadOnlyList<MigrationStatusEntry> Entries)
{
    /// <summary>Whether some known migration is not applied yet.</summary>
    public bool HasPending => Entries.Any(e => e.State == MigrationState.Pending);

    /// <summary>Applied migrations whose file changed since, lowest first.</summary>
    public IEnumerable<MigrationStatusEntry> Modified => Entries.Where(e => e.State == MigrationState.Modified);

    /// <summary>Journal rows this binary has no migration for, lowest first.</summary>
    public IEnumerable<MigrationStatusEntry> Unknown => Entries.Where(e => e.State == MigrationState.Unknown);

    /// <summary>Known migrations missing from the journal below its highest version: rows deleted by hand.</summary>
    public IEnumerable<MigrationStatusEntry> Holes => Entries.Where(e => e.State == MigrationState.Pending && e.Version < CurrentVersion);
}

/// <summary>What one migrate or rollback did: each step, in order.</summary>
/// <param name="FromVersion">The version before.</param>
/// <param name="ToVersion">The version after.</param>
/// <param name="Steps">What ran, in order; empty when the database was already there.</param>
public sealed record MigrationOutcome(int FromVersion, int ToVersion, IReadOnlyList<MigrationStepDone> Steps)
{
    /// <summary>Whether the database was already at the target.</summary>
    public bool ChangedNothing => Steps.Count == 0;
}
