using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.Data.Schema.Catalog;

namespace Sark.V1Import.Adoption;

/// <summary>
/// Recognises an existing SARK v1 database, verifies its shape against sark's chain and, when every
/// difference is one its variant is known to have, baselines the journal at its version. Nothing is
/// guessed: a shape that matches no variant is refused with every mismatch listed.
/// </summary>
public sealed class DatabaseAdopter(NpgsqlDataSource dataSource, MigrationSet migrations, MigrationRunnerOptions? options = null)
{
    private const int V1Head = 5;

    private static readonly string[] AlembicRevisions =
        ["001_initial", "002_api_keys", "003_policies", "004_audit_events", "005_gateway_audit"];

    /// <summary>Looks and reports; changes nothing.</summary>
    public async Task<AdoptionReport> InspectAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            var status = await JournalCheck.ReadStatusAsync(connection, migrations, cancellationToken).ConfigureAwait(false);
            // Every journal row is an entry that is not pending; none: no journal, or an empty one.
            if (status.Entries.Any(e => e.State != MigrationState.Pending))
            {
                // "Already managed" only by a journal this binary may work on; otherwise the refusal every command gives.
                JournalCheck.EnsureSafe(status, migrations);
                var recorded = await AdoptionRecord.ReadVariantAsync(connection, cancellationToken).ConfigureAwait(false);
                return new AdoptionReport(AdoptionOutcome.AlreadyManaged, recorded, status.CurrentVersion, "sark journal", []);
            }

            var live = await SchemaComparison.ReadLiveAsync(connection, AdoptionRules.BookkeepingTables, cancellationToken).ConfigureAwait(false);
            var revision = await ReadAlembicRevisionAsync(connection, cancellationToken).ConfigureAwait(false);
            if (revision is not null)
            {
                var version = Array.IndexOf(AlembicRevisions, revision) + 1;
                if (version == 0)
                {
                    throw new MigrationException(
                        $"alembic_version is '{revision}', which sark cannot adopt; expected one of {string.Join(", ", AlembicRevisions)}");
                }

                return await ClassifyAsync(connection, live, version, V1Variant.Alembic, $"alembic_version {revision}", cancellationToken).ConfigureAwait(false);
            }

            if (live.IsEmpty)
            {
                return new AdoptionReport(AdoptionOutcome.Empty, V1Variant.Native, 0, "empty database", []);
            }

            // No alembic_version: an exact chain shape at some version (newest first), else the ORM shape.
            for (var version = V1Head; version >= 1; version--)
            {
                var candidate = await ClassifyAsync(connection, live, version, V1Variant.Alembic, $"shape of {migrations[version].Id} (no alembic_version)", cancellationToken).ConfigureAwait(false);
                if (candidate.Outcome == AdoptionOutcome.Adoptable)
                {
                    return candidate;
                }
            }

            // Without v1's central table it is not SARK at all: list every difference, tolerate none.
            return live.Tables.ContainsKey("mcp_servers")
                ? await ClassifyAsync(connection, live, V1Head, V1Variant.Orm, "no alembic_version", cancellationToken).ConfigureAwait(false)
                : await ClassifyAsync(connection, live, V1Head, V1Variant.Native, "no SARK v1 tables", cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            // A database error nothing inside handled leaves as a SarkException with its kind.
            throw PostgresErrors.Translate(ex);
        }
    }

    /// <summary>
    /// Inspects and, unless <paramref name="dryRun"/> or refused, records the baseline, the variant
    /// (table sark_adoption) and, for ORM-built databases, creates the missing gateway_audit_events
    /// and renames the constraints and indexes PostgreSQL named to sark's names.
    /// All of it in one transaction under the migration lock.
    /// </summary>
    public async Task<AdoptionReport> AdoptAsync(bool dryRun, CancellationToken cancellationToken = default)
    {
        try
        {
            var report = await InspectAsync(cancellationToken).ConfigureAwait(false);
            if (dryRun || report.Outcome != AdoptionOutcome.Adoptable)
            {
                return report;
            }

            var runner = new MigrationRunner(dataSource, migrations, options);
            try
            {
                await BaselineAsync(runner, report, cancellationToken).ConfigureAwait(false);
            }
            catch (MigrationException)
            {
                // Another adopt (or a migrate) took the lock first and wrote the journal while this one
                // waited: the database is managed now, so answer what an adopt started after it answers.
                var now = await InspectAsync(cancellationToken).ConfigureAwait(false);
                if (now.Outcome == AdoptionOutcome.AlreadyManaged)
                {
                    return now;
                }

                throw;
            }

            return report with { Applied = true };
        }
        catch (NpgsqlException ex)
        {
            // A database error nothing inside handled leaves as a SarkException with its kind.
            throw PostgresErrors.Translate(ex);
        }
    }

    private async Task BaselineAsync(MigrationRunner runner, AdoptionReport report, CancellationToken cancellationToken) =>
        await runner.BaselineAsync(report.BaselineVersion, async (connection, token) =>
        {
            if (report.Findings.Any(f => f.Difference is { Kind: DifferenceKind.MissingTable, Table: "gateway_audit_events" }))
            {
                using var create = new NpgsqlCommand(migrations[V1Head].Up.Sql, connection);
                await create.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            }

            foreach (var rename in RenameStatements(report))
            {
                using var command = new NpgsqlCommand(rename, connection);
                await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            }

            using (var table = new NpgsqlCommand(AdoptionRecord.CreateSql, connection))
            {
                await table.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            }

            using var insert = new NpgsqlCommand(AdoptionRecord.InsertSql, connection);
            insert.Parameters.Add(new NpgsqlParameter { Value = runner.Options.AppliedBy });
            insert.Parameters.Add(new NpgsqlParameter { Value = report.Variant.ToString().ToLowerInvariant() });
            insert.Parameters.Add(new NpgsqlParameter { Value = report.Source });
            insert.Parameters.Add(new NpgsqlParameter { Value = report.BaselineVersion });
            insert.Parameters.Add(new NpgsqlParameter
            {
                Value = JsonSerializer.Serialize(report.Tolerated.Select(f => new { difference = f.Difference.ToString(), reason = f.Reason })),
                NpgsqlDbType = NpgsqlDbType.Jsonb,
            });
            await insert.ExecuteNonQueryAsync(token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Gives members the ORM left to PostgreSQL to name the names sark's chain uses, so that every
    /// later script that names them (003's down script drops fk_policies_current_version) finds
    /// them. Only the name changes; the comparison proved the definitions equal.
    /// </summary>
    internal static IEnumerable<string> RenameStatements(AdoptionReport report) =>
        report.Renames.Select(d =>
            d.Kind == DifferenceKind.ConstraintName
                ? $"ALTER TABLE {Identifier(d.Table)} RENAME CONSTRAINT {Identifier(d.Actual!)} TO {Identifier(d.Subject)}"
                : $"ALTER INDEX {Identifier(d.Actual!)} RENAME TO {Identifier(d.Subject)}");

    private static string Identifier(string name) => $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private async Task<AdoptionReport> ClassifyAsync(
        NpgsqlConnection connection, CatalogModel live, int version, V1Variant variant, string source, CancellationToken cancellationToken)
    {
        var findings = (await SchemaComparison.CompareWithChainAsync(connection, migrations, version, live, cancellationToken).ConfigureAwait(false))
            .Select(d => new SchemaFinding(d, AdoptionRules.Explain(variant, d)))
            .ToList();
        var outcome = findings.Any(f => f.IsMismatch) ? AdoptionOutcome.Refused : AdoptionOutcome.Adoptable;
        return new AdoptionReport(outcome, variant, version, source, findings);
    }

    private static async Task<string?> ReadAlembicRevisionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (!await WorkingSchema.RelationExistsAsync(connection, "alembic_version", cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        using var read = new NpgsqlCommand("SELECT string_agg(version_num, ',') FROM alembic_version", connection);
        return await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string ?? "(empty)";
    }
}
