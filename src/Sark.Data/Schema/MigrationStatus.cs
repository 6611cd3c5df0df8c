namespace Sark.Data.Schema;

public enum MigrationState
{
    /// <summary>Applied, and the file still has the checksum the journal recorded.</summary>
    Applied,

    /// <summary>Recorded by adoption of an existing database rather than run by us.</summary>
    Baseline,

    /// <summary>Known to the binary, not applied yet.</summary>
    Pending,

    /// <summary>Applied, but the file changed since: refused until <c>sark db repair</c>.</summary>
    Modified,

    /// <summary>In the journal but unknown to this binary: the database is newer.</summary>
    Unknown,
}

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
public sealed record MigrationStatus(int CurrentVersion, int HeadVersion, IReadOnlyList<MigrationStatusEntry> Entries)
{
    public bool HasPending => Entries.Any(e => e.State == MigrationState.Pending);

    public IEnumerable<MigrationStatusEntry> Modified => Entries.Where(e => e.State == MigrationState.Modified);

    /// <summary>Journal rows this binary has no migration for, lowest first.</summary>
    public IEnumerable<MigrationStatusEntry> Unknown => Entries.Where(e => e.State == MigrationState.Unknown);

    /// <summary>Known migrations missing from the journal below its highest version: rows deleted by hand.</summary>
    public IEnumerable<MigrationStatusEntry> Holes => Entries.Where(e => e.State == MigrationState.Pending && e.Version < CurrentVersion);
}

/// <summary>What one migrate or rollback did: each step, in order.</summary>
public sealed record MigrationOutcome(int FromVersion, int ToVersion, IReadOnlyList<MigrationStepDone> Steps)
{
    public bool ChangedNothing => Steps.Count == 0;
}
