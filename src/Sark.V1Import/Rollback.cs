using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.V1Import.Mapping;

namespace Sark.V1Import;

/// <summary>
/// The v1→v2 rollback (the CLI's <c>migrate-v1 --rollback</c>): removes exactly the v2 rows this tool wrote (capabilities before resources).
/// A row whose hash no longer matches what was written was changed since and is kept unless
/// forced; a resource is kept while capabilities that are not being removed (native ones, or kept
/// ones) still hang off it, because deleting it would cascade them away. Native rows are never touched.
/// </summary>
public sealed class Rollback(NpgsqlDataSource dataSource, ImportOptions? options = null)
{
    private readonly ImportOptions options = options ?? new ImportOptions();

    // The rows to remove, staged once so the report and the deletes agree exactly: $1 is --force,
    // else a row is only removed while its hash (the same as the importer's, Importer.cs, computed
    // from the live row) still matches what was written. A resource is kept while capabilities
    // that are not being removed (native ones, or kept ones) still hang off it.
    private static readonly string[] StageSql =
    [
        """
        CREATE TEMP TABLE rollback_capabilities ON COMMIT DROP AS
        SELECT p.target_id FROM v1_import_provenance p JOIN capabilities x ON x.id = p.target_id
        WHERE p.target_table = 'capabilities'
          AND ($1 OR md5(jsonb_build_array(
                  x.resource_id, x.name, x.description, x.input_schema, x.output_schema, x.sensitivity_level, x.metadata,
                  extract(epoch FROM x.created_at), extract(epoch FROM x.updated_at))::text) = p.row_hash)
        """,
        "CREATE UNIQUE INDEX ON rollback_capabilities (target_id)",
        "ANALYZE rollback_capabilities",
        """
        CREATE TEMP TABLE rollback_resources ON COMMIT DROP AS
        SELECT p.target_id FROM v1_import_provenance p JOIN resources x ON x.id = p.target_id
        WHERE p.target_table = 'resources'
          AND ($1 OR md5(jsonb_build_array(
                  x.name, x.protocol, x.endpoint, x.sensitivity_level, x.metadata,
                  extract(epoch FROM x.created_at), extract(epoch FROM x.updated_at))::text) = p.row_hash)
          AND NOT EXISTS (SELECT 1 FROM capabilities c WHERE c.resource_id = p.target_id
                          AND NOT EXISTS (SELECT 1 FROM rollback_capabilities r WHERE r.target_id = c.id))
        """,
        "CREATE UNIQUE INDEX ON rollback_resources (target_id)",
        "ANALYZE rollback_resources",
    ];

    // Why a migrated row stays, for the report: $1 is --force, $2 how many rows are listed.
    private const string KeptSql = """
        SELECT *, count(*) OVER () FROM (
        SELECT 'changed', p.source_id, p.target_id, 'changed since it was migrated; a forced rollback removes it'
        FROM v1_import_provenance p JOIN capabilities x ON x.id = p.target_id
        WHERE p.target_table = 'capabilities' AND NOT $1
          AND md5(jsonb_build_array(
                  x.resource_id, x.name, x.description, x.input_schema, x.output_schema, x.sensitivity_level, x.metadata,
                  extract(epoch FROM x.created_at), extract(epoch FROM x.updated_at))::text) <> p.row_hash
        UNION ALL
        SELECT CASE WHEN changed THEN 'changed' ELSE 'in use' END, p.source_id, p.target_id,
               CASE WHEN changed THEN 'changed since it was migrated; a forced rollback removes it'
                    ELSE 'capabilities that are not removed (native or kept) still use it' END
        FROM v1_import_provenance p JOIN resources x ON x.id = p.target_id
        CROSS JOIN LATERAL (SELECT NOT $1 AND md5(jsonb_build_array(
                x.name, x.protocol, x.endpoint, x.sensitivity_level, x.metadata,
                extract(epoch FROM x.created_at), extract(epoch FROM x.updated_at))::text) <> p.row_hash AS changed) hash
        WHERE p.target_table = 'resources' AND NOT EXISTS (SELECT 1 FROM rollback_resources r WHERE r.target_id = p.target_id)
        ) kept
        ORDER BY 3 LIMIT $2
        """;

    private const string CountStagedCapabilitiesSql = "SELECT count(*) FROM rollback_capabilities";

    private const string CountStagedResourcesSql = "SELECT count(*) FROM rollback_resources";

    // The staged rows and their provenance; the rows removed.
    private const string RemoveCapabilitiesSql = """
        WITH gone AS (DELETE FROM capabilities x USING rollback_capabilities r WHERE x.id = r.target_id RETURNING x.id),
        forgotten AS (DELETE FROM v1_import_provenance p USING rollback_capabilities r
                      WHERE p.target_table = 'capabilities' AND p.target_id = r.target_id)
        SELECT count(*) FROM gone
        """;

    private const string RemoveResourcesSql = """
        WITH gone AS (DELETE FROM resources x USING rollback_resources r WHERE x.id = r.target_id RETURNING x.id),
        forgotten AS (DELETE FROM v1_import_provenance p USING rollback_resources r
                      WHERE p.target_table = 'resources' AND p.target_id = r.target_id)
        SELECT count(*) FROM gone
        """;

    /// <summary>
    /// Removes what the import wrote; with <paramref name="dryRun"/> only reports what it would remove,
    /// with <paramref name="force"/> removes rows changed since they were written too.
    /// </summary>
    public async Task<RollbackReport> RollBackAsync(bool dryRun, bool force, CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            var schemaUnchanged = await DataJobLock.AcquireAsync(connection, options.LockWait, cancellationToken).ConfigureAwait(false);
            await using var schemaUnchangedDisposal = schemaUnchanged.ConfigureAwait(false);
            await Sql.RequireV2TablesAsync(connection, cancellationToken).ConfigureAwait(false);
            await AdvisoryLock.AcquireAsync(connection, AdvisoryLock.V1Import, options.LockWait, cancellationToken).ConfigureAwait(false);
            try
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using var transactionDisposal = transaction.ConfigureAwait(false);
                await Sql.UseWholeTableSettingsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);

                await StageAsync(connection, transaction, force, cancellationToken).ConfigureAwait(false);

                var kept = new List<RowNote>();
                long keptTotal = 0;
                using (var keptCommand = Sql.Command(KeptSql, connection, transaction))
                {
                    keptCommand.Parameters.Add(new NpgsqlParameter { Value = force });
                    keptCommand.Parameters.Add(new NpgsqlParameter { Value = (long)options.RowsListed });
                    var reader = await keptCommand.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using var readerDisposal = reader.ConfigureAwait(false);
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        kept.Add(new RowNote(reader.GetString(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3)));
                        keptTotal = reader.GetInt64(4);
                    }
                }

                var removed = new Dictionary<string, long>(StringComparer.Ordinal);
                foreach (var (table, count, remove) in new[]
                {
                    (V2Table.Capabilities, CountStagedCapabilitiesSql, RemoveCapabilitiesSql),
                    (V2Table.Resources, CountStagedResourcesSql, RemoveResourcesSql),
                })
                {
                    using var command = Sql.Command(dryRun ? count : remove, connection, transaction);
                    removed[table.Target] = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                }

                if (dryRun)
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }

                return new RollbackReport(dryRun, force, removed, kept) { KeptTotal = keptTotal };
            }
            finally
            {
                await AdvisoryLock.ReleaseAsync(connection, AdvisoryLock.V1Import, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException ex)
        {
            // A database error nothing inside handled leaves as a SarkException with its kind.
            throw PostgresErrors.Translate(ex);
        }
    }

    /// <summary>Runs <see cref="StageSql"/> in one round trip inside <paramref name="transaction"/>.</summary>
    internal static async Task StageAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, bool force, CancellationToken cancellationToken)
    {
        using var batch = new NpgsqlBatch(connection, transaction) { Timeout = 0 };
        foreach (var sql in StageSql)
        {
            // Every statement gets $1, as a batch's statements share their parameters; the ones
            // that do not use it ignore it.
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(new NpgsqlParameter { Value = force });
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
