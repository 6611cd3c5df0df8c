using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Logging;

namespace Sark.Data.Schema;

/// <summary>
/// What <see cref="MigrationRunner.RepairAsync"/> did: <paramref name="Repaired"/> the checksums it accepted, and
/// <paramref name="NotRepaired"/> the journal problems it cannot fix, each with the fix in words.
/// </summary>
/// <param name="Version">The database's version.</param>
/// <param name="Repaired">The checksums accepted, in version order.</param>
/// <param name="NotRepaired">What repair cannot fix, each with the fix in words.</param>
public sealed record RepairOutcome(int Version, IReadOnlyList<MigrationChecksumAccepted> Repaired, IReadOnlyList<string> NotRepaired)
{
    /// <summary>Whether nothing is left that repair could not fix.</summary>
    public bool JournalIsSound => NotRepaired.Count == 0;
}

public sealed partial class MigrationRunner
{
    /// <summary>
    /// Accepts the current contents of edited migration files by re-recording their checksums, and
    /// reports what it cannot fix: a hole in the journal (which schema is really there only a person
    /// can tell) and versions this binary does not know. On a database a newer sark migrated it
    /// changes nothing, like every other command of this binary.
    /// </summary>
    public async Task<RepairOutcome> RepairAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            await AcquireMigrationLockAsync(connection, cancellationToken).ConfigureAwait(false);
            try
            {
                var status = await JournalCheck.ReadStatusAsync(connection, Migrations, cancellationToken).ConfigureAwait(false);
                var notRepaired = new List<string>();
                foreach (var unknown in status.Unknown)
                {
                    notRepaired.Add($"cannot repair {unknown.Name}: the journal has it, but this sark knows migrations only up to {Migrations.Head:D3}; the database was migrated by a newer sark, use that version (if no sark wrote the row, check the schema, then delete it: DELETE FROM sark_migrations WHERE version = {unknown.Version};)");
                }

                foreach (var hole in status.Holes)
                {
                    notRepaired.Add($"cannot repair {hole.Name}: the journal records version {status.CurrentVersion} but has no row for it; sark_migrations was edited by hand: if the database has the changes of {hole.Name}, restore its row with {MigrationJournal.InsertLiteral(Migrations[hole.Version])} otherwise restore the database from a backup");
                }

                var newerSark = status.Unknown.Any();
                var repaired = new List<MigrationChecksumAccepted>();
                foreach (var entry in status.Modified)
                {
                    if (newerSark)
                    {
                        notRepaired.Add($"not repaired {entry.Name}: its file was edited (journal checksum {entry.JournalChecksum}, file checksum {entry.FileChecksum}), but this sark does not change a database a newer sark migrated");
                        continue;
                    }

                    using var update = new NpgsqlCommand(MigrationJournal.UpdateChecksumSql, connection);
                    update.Parameters.Add(new NpgsqlParameter { Value = entry.Version });
                    update.Parameters.Add(new NpgsqlParameter { Value = entry.FileChecksum! });
                    await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    var accepted = new MigrationChecksumAccepted(entry.Version, entry.Name, entry.JournalChecksum!, entry.FileChecksum!);
                    repaired.Add(accepted);
                    log.ChecksumAccepted(accepted.MigrationId, accepted.JournalChecksum, accepted.FileChecksum);
                    Progress?.Report(accepted);
                }

                return new RepairOutcome(status.CurrentVersion, repaired, notRepaired);
            }
            finally
            {
                await AdvisoryLock.ReleaseAsync(connection, AdvisoryLock.Migrations, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException ex)
        {
            // A database error nothing inside handled leaves as a SarkException with its kind.
            throw PostgresErrors.Translate(ex);
        }
    }
}
