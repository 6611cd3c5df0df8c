using Sark.Data.Connection;
using Sark.Data.Errors;

namespace Sark.Data.Schema;

/// <summary>
/// What <see cref="MigrationRunner.Progress"/> hears while the runner works: a step done, an edited
/// file's checksum accepted, or a wait for another runner's lock. Each record carries the facts;
/// its <see cref="Message"/> is the line the CLI prints (in its own words), <see cref="ToString"/>
/// the same line in the library's words.
/// </summary>
public abstract record MigrationProgress
{
    /// <summary>The progress line, with its host terms kept apart.</summary>
    public virtual SarkMessage Message => Line;

    // Sealed, so derived records print their line rather than their members.
    /// <summary>The progress line in the library's words.</summary>
    public sealed override string ToString() => Message.ToString();

    /// <summary>The progress line, such as "applied 003_policies in 12 ms".</summary>
    protected abstract string Line { get; }
}

/// <summary>One migration applied (<see cref="MigrationDirection.Up"/>) or reverted, with the time it took.</summary>
/// <param name="Direction">Applied (up) or reverted (down).</param>
/// <param name="Version">The migration's number.</param>
/// <param name="MigrationId">Its id (<c>003_policies</c>).</param>
/// <param name="Elapsed">How long its script and journal row took.</param>
public sealed record MigrationStepDone(MigrationDirection Direction, int Version, string MigrationId, TimeSpan Elapsed) : MigrationProgress
{
    /// <inheritdoc/>
    protected override string Line => $"{(Direction == MigrationDirection.Up ? "applied" : "reverted")} {MigrationId} in {(long)Elapsed.TotalMilliseconds} ms";
}

/// <summary>An edited migration file accepted by repair: its journal checksum replaced by the file's.</summary>
/// <param name="Version">The migration's number.</param>
/// <param name="MigrationId">Its id (<c>003_policies</c>).</param>
/// <param name="JournalChecksum">The checksum the journal held.</param>
/// <param name="FileChecksum">The file's checksum, now in the journal.</param>
public sealed record MigrationChecksumAccepted(int Version, string MigrationId, string JournalChecksum, string FileChecksum) : MigrationProgress
{
    /// <inheritdoc/>
    protected override string Line => $"repaired {MigrationId}: checksum {JournalChecksum} -> {FileChecksum}";
}

/// <summary>The runner waits for the migration lock another session holds.</summary>
/// <param name="Waiting">The lock, the wait and the session holding it.</param>
public sealed record MigrationLockWaiting(LockWaiting Waiting) : MigrationProgress
{
    /// <summary>The wait, naming the lock's holder, with its host terms kept apart.</summary>
    public override SarkMessage Message => Waiting.Message;

    /// <inheritdoc/>
    protected override string Line => Waiting.ToString();
}
