using Sark.Data.Connection;

namespace Sark.Data.Schema;

/// <summary>
/// What <see cref="MigrationRunner.Progress"/> hears while the runner works: a step done, an edited
/// file's checksum accepted, or a wait for another runner's lock. Each record carries the facts;
/// its <see cref="ToString"/> is the line the CLI prints.
/// </summary>
public abstract record MigrationProgress
{
    // Sealed, so derived records print their line rather than their members.
    public sealed override string ToString() => Line;

    /// <summary>The progress line, such as "applied 003_policies in 12 ms".</summary>
    protected abstract string Line { get; }
}

/// <summary>One migration applied (<see cref="MigrationDirection.Up"/>) or reverted, with the time it took.</summary>
public sealed record MigrationStepDone(MigrationDirection Direction, int Version, string MigrationId, TimeSpan Elapsed) : MigrationProgress
{
    protected override string Line => $"{(Direction == MigrationDirection.Up ? "applied" : "reverted")} {MigrationId} in {(long)Elapsed.TotalMilliseconds} ms";
}

/// <summary>An edited migration file accepted by repair: its journal checksum replaced by the file's.</summary>
public sealed record MigrationChecksumAccepted(int Version, string MigrationId, string JournalChecksum, string FileChecksum) : MigrationProgress
{
    protected override string Line => $"repaired {MigrationId}: checksum {JournalChecksum} -> {FileChecksum}";
}

/// <summary>The runner waits for the migration lock another session holds.</summary>
public sealed record MigrationLockWaiting(LockWaiting Waiting) : MigrationProgress
{
    protected override string Line => Waiting.ToString();
}
