using Npgsql;
using Sark.Data.Errors;

namespace Sark.Data.Schema;

/// <summary>
/// Where a database's journal stands against the migrations a binary knows, and the one rule for
/// when this binary must not touch the database: a version it does not know (a newer sark), an
/// applied migration whose file was edited, or a hole in the journal. The schema commands and every
/// data job (<c>migrate-v1</c>, <c>v1-sample</c>) refuse through it, with the same message.
/// </summary>
public static class JournalCheck
{
    /// <summary>
    /// Where the database stands against <paramref name="migrations"/>; without a journal in the
    /// working schema it is at version 0.
    /// </summary>
    public static async Task<MigrationStatus> ReadStatusAsync(NpgsqlConnection connection, MigrationSet migrations, CancellationToken cancellationToken = default) =>
        BuildStatus(await MigrationJournal.ReadAsync(connection, cancellationToken).ConfigureAwait(false), migrations);

    /// <summary>Refuses, with <see cref="MigrationException"/> (<see cref="SarkErrorKind.SchemaDrift"/>), what <see cref="FindProblem"/> finds.</summary>
    public static async Task<MigrationStatus> EnsureSafeAsync(NpgsqlConnection connection, MigrationSet migrations, CancellationToken cancellationToken = default)
    {
        var status = await ReadStatusAsync(connection, migrations, cancellationToken).ConfigureAwait(false);
        EnsureSafe(status, migrations);
        return status;
    }

    /// <summary>
    /// Refuses, with <see cref="MigrationException"/> (<see cref="SarkErrorKind.SchemaDrift"/>),
    /// what <see cref="FindProblem"/> finds in <paramref name="status"/>.
    /// </summary>
    public static void EnsureSafe(MigrationStatus status, MigrationSet migrations)
    {
        if (FindProblem(status, migrations) is { } problem)
        {
            throw new MigrationException(SarkErrorKind.SchemaDrift, problem);
        }
    }

    internal static MigrationStatus BuildStatus(IReadOnlyList<JournalEntry> journal, MigrationSet migrations)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(migrations);
        var byVersion = journal.ToDictionary(e => e.Version);
        var entries = new List<MigrationStatusEntry>();
        foreach (var migration in migrations.Migrations)
        {
            if (!byVersion.Remove(migration.Version, out var applied))
            {
                entries.Add(new MigrationStatusEntry(migration.Version, migration.Id, MigrationState.Pending, null, null, null, null, migration.Checksum));
                continue;
            }

            var state = !migration.Accepts(applied.Checksum) ? MigrationState.Modified
                : applied.Kind == MigrationJournal.KindBaseline ? MigrationState.Baseline
                : MigrationState.Applied;
            entries.Add(new MigrationStatusEntry(
                migration.Version, migration.Id, state, applied.AppliedAt, applied.AppliedBy, applied.DurationMs, applied.Checksum, migration.Checksum));
        }

        // Whatever is left in the journal was written by a binary that knows more migrations.
        entries.AddRange(byVersion.Values.OrderBy(e => e.Version).Select(e =>
            new MigrationStatusEntry(e.Version, e.Name, MigrationState.Unknown, e.AppliedAt, e.AppliedBy, e.DurationMs, e.Checksum, null)));
        var current = journal.Count == 0 ? 0 : journal.Max(e => e.Version);
        return new MigrationStatus(current, migrations.Head, entries);
    }

    /// <summary>Why this binary must not work on the database, or null when it may.</summary>
    public static SarkMessage? FindProblem(MigrationStatus status, MigrationSet migrations)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(migrations);
        if (status.Unknown.LastOrDefault() is { } unknown)
        {
            return $"the database has migration {unknown.Name} applied, which this sark does not know (it knows up to {migrations.Head:D3}); the database was migrated by a newer sark, use that version";
        }

        if (status.Modified.FirstOrDefault() is { } modified)
        {
            var file = migrations[modified.Version].Up.FileName;
            return $"migration file {file} was edited after it was applied: journal checksum {modified.JournalChecksum}, file checksum {modified.FileChecksum}; restore the file, or accept the new contents with {MigrationTerms.Repair}";
        }

        if (status.Holes.FirstOrDefault() is { } hole)
        {
            return $"the journal records version {status.CurrentVersion} but not {hole.Name}; sark_migrations was edited by hand, restore the missing row or the database from a backup";
        }

        return null;
    }
}
