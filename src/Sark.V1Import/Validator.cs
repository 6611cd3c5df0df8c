using System.Data;
using Npgsql;
using NpgsqlTypes;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.V1Import.Mapping;

namespace Sark.V1Import;

/// <summary>
/// The v1→v2 validation (the CLI's <c>migrate-v1 --validate</c>): compares every migrated row field by field with what the mapping of its v1
/// row says it should be, and checks counts, coverage, stale rows and references, in one
/// read-only snapshot. A missing v2 table is a failed check, not a crash. A row the database
/// refused in the last import is listed as skipped, not as a row still to migrate.
/// </summary>
public sealed class Validator(NpgsqlDataSource dataSource, ImportOptions? options = null)
{
    private readonly ImportOptions options = options ?? new ImportOptions();

    /// <summary>Runs every check against the migrated rows. Changes nothing.</summary>
    public async Task<ValidationReport> ValidateAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            var schemaUnchanged = await DataJobLock.AcquireAsync(connection, options.LockWait, cancellationToken).ConfigureAwait(false);
            await using var schemaUnchangedDisposal = schemaUnchanged.ConfigureAwait(false);
            var source = await V1Source.DetectAsync(connection, cancellationToken).ConfigureAwait(false);
            var missing = await V1Source.MissingV2TablesAsync(connection, cancellationToken).ConfigureAwait(false);
            if (missing.Count > 0)
            {
                return new ValidationReport([new ValidationCheck(
                    "v2 tables exist", false, missing.Count, $"missing: {string.Join(", ", missing)}; run {MigrationTerms.Migrate}, then {ImportTerms.Execute}", missing)]);
            }

            var mapping = await MappingSql.LoadAsync(connection, source, cancellationToken).ConfigureAwait(false);
            return new ValidationReport(await mapping.RunAsync(connection, () => CheckAllAsync(connection, cancellationToken), cancellationToken).ConfigureAwait(false));
        }
        catch (NpgsqlException ex)
        {
            // A database error nothing inside handled leaves as a SarkException with its kind.
            throw PostgresErrors.Translate(ex);
        }
    }

    private async Task<List<ValidationCheck>> CheckAllAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        await using var transactionDisposal = transaction.ConfigureAwait(false);
        await Sql.BeginWholeTableReadAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var checks = new List<ValidationCheck>();
        checks.AddRange(await CheckTableAsync(connection, transaction, V2Table.Resources, CheckResourcesSql, cancellationToken).ConfigureAwait(false));
        checks.AddRange(await CheckTableAsync(connection, transaction, V2Table.Capabilities, CheckCapabilitiesSql, cancellationToken).ConfigureAwait(false));
        checks.Add(await CheckReferencesAsync(connection, transaction, cancellationToken).ConfigureAwait(false));
        await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
        return checks;
    }

    // Every migrated row against what the mapping of its v1 row says it should be, and counts,
    // coverage, stale rows, orphans and skipped rows: the counts, then up to $1 details per check.
    // $2 is how the reason of a row the database refused begins (Importer.RefusedReason).
    private const string CheckResourcesSql = $"""
        WITH {MappingSql.HelpersAsCte},
        mapped AS MATERIALIZED (
        {MappingSql.MapServersSql}
        ),
        prov AS MATERIALIZED (SELECT * FROM v1_import_provenance WHERE target_table = 'resources'),
        refused AS MATERIALIZED (
            SELECT source_id, reason FROM v1_import_issues WHERE source_table = 'mcp_servers' AND starts_with(reason, $2)),
        mismatched AS MATERIALIZED (
            SELECT p.target_id, d.changed
            FROM prov p JOIN mapped m ON m.source_id = p.source_id AND m.issue_kind IS NULL JOIN resources x ON x.id = p.target_id
            CROSS JOIN LATERAL (SELECT array_remove(ARRAY[
                    CASE WHEN x.name IS DISTINCT FROM m.name THEN 'name' END,
                    CASE WHEN x.protocol IS DISTINCT FROM m.protocol THEN 'protocol' END,
                    CASE WHEN x.endpoint IS DISTINCT FROM m.endpoint THEN 'endpoint' END,
                    CASE WHEN x.sensitivity_level IS DISTINCT FROM m.sensitivity_level THEN 'sensitivity_level' END,
                    CASE WHEN x.metadata IS DISTINCT FROM m.metadata THEN 'metadata' END,
                    CASE WHEN x.created_at IS DISTINCT FROM m.created_at THEN 'created_at' END,
                    CASE WHEN x.updated_at IS DISTINCT FROM m.updated_at THEN 'updated_at' END]::text[], NULL) AS changed) d
            WHERE cardinality(d.changed) > 0
              -- The database refused the update of this row: it keeps what an earlier run wrote, and is listed as skipped.
              AND NOT EXISTS (SELECT 1 FROM refused r WHERE r.source_id = p.source_id)),
        unmigrated AS MATERIALIZED (
            SELECT m.id FROM mapped m WHERE m.issue_kind IS NULL AND NOT EXISTS (
                SELECT 1 FROM prov p JOIN resources x ON x.id = p.target_id WHERE p.source_id = m.source_id)
              AND NOT EXISTS (SELECT 1 FROM refused r WHERE r.source_id = m.source_id)),
        stale AS MATERIALIZED (
            SELECT p.target_id || ': ' || coalesce(m.issue, 'its v1 row was deleted') AS detail
            FROM prov p LEFT JOIN mapped m ON m.source_id = p.source_id
            WHERE (m.source_id IS NULL OR m.issue_kind IS NOT NULL) AND EXISTS (SELECT 1 FROM resources x WHERE x.id = p.target_id)
              -- A resource still used by capabilities the tool did not write is kept (removing it would cascade them away).
              AND NOT EXISTS (SELECT 1 FROM capabilities c WHERE c.resource_id = p.target_id AND NOT EXISTS (
                  SELECT 1 FROM v1_import_provenance q WHERE q.target_table = 'capabilities' AND q.target_id = c.id))),
        orphans AS MATERIALIZED (SELECT p.target_id FROM prov p WHERE NOT EXISTS (SELECT 1 FROM resources x WHERE x.id = p.target_id)),
        skipped AS MATERIALIZED (
            SELECT m.id || ' (' || m.issue_kind || '): ' || m.issue AS detail FROM mapped m WHERE m.issue_kind IS NOT NULL
            UNION ALL
            SELECT m.id || ' (invalid): ' || r.reason FROM mapped m JOIN refused r ON r.source_id = m.source_id WHERE m.issue_kind IS NULL)
        SELECT 'v1', count(*), NULL FROM mapped
        UNION ALL SELECT 'mappable', count(*) FILTER (WHERE issue_kind IS NULL), NULL FROM mapped
        UNION ALL SELECT 'migrated', count(*), NULL FROM prov
        UNION ALL SELECT 'mismatched', count(*), NULL FROM mismatched
        UNION ALL SELECT 'unmigrated', count(*), NULL FROM unmigrated
        UNION ALL SELECT 'stale', count(*), NULL FROM stale
        UNION ALL SELECT 'orphans', count(*), NULL FROM orphans
        UNION ALL SELECT 'skipped', count(*), NULL FROM skipped
        UNION ALL (SELECT 'mismatched', NULL, target_id || ': ' || array_to_string(changed, ', ') || ' differ' FROM mismatched ORDER BY 3 LIMIT $1)
        UNION ALL (SELECT 'unmigrated', NULL, id FROM unmigrated ORDER BY 3 LIMIT $1)
        UNION ALL (SELECT 'stale', NULL, detail FROM stale ORDER BY 3 LIMIT $1)
        UNION ALL (SELECT 'orphans', NULL, target_id FROM orphans ORDER BY 3 LIMIT $1)
        UNION ALL (SELECT 'skipped', NULL, detail FROM skipped ORDER BY 3 LIMIT $1)
        """;

    private const string CheckCapabilitiesSql = $"""
        WITH {MappingSql.HelpersAsCte},
        mapped AS MATERIALIZED (
        {MappingSql.MapToolsSql}
        ),
        prov AS MATERIALIZED (SELECT * FROM v1_import_provenance WHERE target_table = 'capabilities'),
        refused AS MATERIALIZED (
            SELECT source_id, reason FROM v1_import_issues WHERE source_table = 'mcp_tools' AND starts_with(reason, $2)),
        mismatched AS MATERIALIZED (
            SELECT p.target_id, d.changed
            FROM prov p JOIN mapped m ON m.source_id = p.source_id AND m.issue_kind IS NULL JOIN capabilities x ON x.id = p.target_id
            CROSS JOIN LATERAL (SELECT array_remove(ARRAY[
                    CASE WHEN x.resource_id IS DISTINCT FROM m.resource_id THEN 'resource_id' END,
                    CASE WHEN x.name IS DISTINCT FROM m.name THEN 'name' END,
                    CASE WHEN x.description IS DISTINCT FROM m.description THEN 'description' END,
                    CASE WHEN x.input_schema IS DISTINCT FROM m.input_schema THEN 'input_schema' END,
                    CASE WHEN x.output_schema IS DISTINCT FROM m.output_schema THEN 'output_schema' END,
                    CASE WHEN x.sensitivity_level IS DISTINCT FROM m.sensitivity_level THEN 'sensitivity_level' END,
                    CASE WHEN x.metadata IS DISTINCT FROM m.metadata THEN 'metadata' END,
                    CASE WHEN x.created_at IS DISTINCT FROM m.created_at THEN 'created_at' END,
                    CASE WHEN x.updated_at IS DISTINCT FROM m.updated_at THEN 'updated_at' END]::text[], NULL) AS changed) d
            WHERE cardinality(d.changed) > 0
              -- The database refused the update of this row: it keeps what an earlier run wrote, and is listed as skipped.
              AND NOT EXISTS (SELECT 1 FROM refused r WHERE r.source_id = p.source_id)),
        unmigrated AS MATERIALIZED (
            SELECT m.id FROM mapped m WHERE m.issue_kind IS NULL AND NOT EXISTS (
                SELECT 1 FROM prov p JOIN capabilities x ON x.id = p.target_id WHERE p.source_id = m.source_id)
              AND NOT EXISTS (SELECT 1 FROM refused r WHERE r.source_id = m.source_id)),
        stale AS MATERIALIZED (
            SELECT p.target_id || ': ' || coalesce(m.issue, 'its v1 row was deleted') AS detail
            FROM prov p LEFT JOIN mapped m ON m.source_id = p.source_id
            WHERE (m.source_id IS NULL OR m.issue_kind IS NOT NULL) AND EXISTS (SELECT 1 FROM capabilities x WHERE x.id = p.target_id)),
        orphans AS MATERIALIZED (SELECT p.target_id FROM prov p WHERE NOT EXISTS (SELECT 1 FROM capabilities x WHERE x.id = p.target_id)),
        skipped AS MATERIALIZED (
            SELECT m.id || ' (' || m.issue_kind || '): ' || m.issue AS detail FROM mapped m WHERE m.issue_kind IS NOT NULL
            UNION ALL
            SELECT m.id || ' (invalid): ' || r.reason FROM mapped m JOIN refused r ON r.source_id = m.source_id WHERE m.issue_kind IS NULL)
        SELECT 'v1', count(*), NULL FROM mapped
        UNION ALL SELECT 'mappable', count(*) FILTER (WHERE issue_kind IS NULL), NULL FROM mapped
        UNION ALL SELECT 'migrated', count(*), NULL FROM prov
        UNION ALL SELECT 'mismatched', count(*), NULL FROM mismatched
        UNION ALL SELECT 'unmigrated', count(*), NULL FROM unmigrated
        UNION ALL SELECT 'stale', count(*), NULL FROM stale
        UNION ALL SELECT 'orphans', count(*), NULL FROM orphans
        UNION ALL SELECT 'skipped', count(*), NULL FROM skipped
        UNION ALL (SELECT 'mismatched', NULL, target_id || ': ' || array_to_string(changed, ', ') || ' differ' FROM mismatched ORDER BY 3 LIMIT $1)
        UNION ALL (SELECT 'unmigrated', NULL, id FROM unmigrated ORDER BY 3 LIMIT $1)
        UNION ALL (SELECT 'stale', NULL, detail FROM stale ORDER BY 3 LIMIT $1)
        UNION ALL (SELECT 'orphans', NULL, target_id FROM orphans ORDER BY 3 LIMIT $1)
        UNION ALL (SELECT 'skipped', NULL, detail FROM skipped ORDER BY 3 LIMIT $1)
        """;

    private async Task<IEnumerable<ValidationCheck>> CheckTableAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, V2Table table, string sql, CancellationToken cancellationToken)
    {
        var t = table.Target;
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var details = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        using (var command = Sql.Command(sql, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = (long)options.RowsListed });
            command.Parameters.Add(new NpgsqlParameter { Value = Importer.RefusedReason, NpgsqlDbType = NpgsqlDbType.Text });
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = reader.GetString(0);
                if (reader.IsDBNull(1))
                {
                    (details.TryGetValue(key, out var list) ? list : details[key] = []).Add(reader.GetString(2));
                }
                else
                {
                    counts[key] = reader.GetInt64(1);
                }
            }
        }

        IReadOnlyList<string> Details(string key) => details.TryGetValue(key, out var list) ? list : [];
        ValidationCheck Failing(string key, string name, SarkMessage what) =>
            new($"{t}: {name}", counts[key] == 0, counts[key], counts[key] == 0 ? "ok" : Counted(counts[key], what), Details(key));

        return
        [
            new ValidationCheck($"{t}: counts", true, counts["migrated"],
                $"{table.Source} {counts["v1"]}, mappable {counts["mappable"]}, migrated {counts["migrated"]}", []),
            Failing("mismatched", "fields match the mapping", "row(s) differ from what their v1 row maps to"),
            Failing("unmigrated", "every mappable v1 row is migrated", $"mappable v1 row(s) not migrated; run {ImportTerms.ExecuteMode}"),
            Failing("stale", "no stale rows", $"{t} whose v1 row is gone or no longer maps; run {ImportTerms.ExecuteMode}"),
            Failing("orphans", "provenance points at existing rows", "migrated row(s) deleted since"),
            new ValidationCheck($"{t}: v1 rows not migrated, and why", true, counts["skipped"],
                $"{counts["skipped"]} skipped (invalid, conflicting or duplicate)", Details("skipped")),
        ];
    }

    private static SarkMessage Counted(long count, SarkMessage what) => $"{count} {what}";

    // A migrated capability must hang off the resource migrated from its server.
    private const string BrokenReferencesSql = """
        SELECT c.id || ' -> ' || c.resource_id
        FROM v1_import_provenance p JOIN capabilities c ON c.id = p.target_id
        WHERE p.target_table = 'capabilities' AND NOT EXISTS (
            SELECT 1 FROM v1_import_provenance r JOIN resources x ON x.id = r.target_id
            WHERE r.target_table = 'resources' AND r.target_id = c.resource_id)
        ORDER BY 1
        """;

    private async Task<ValidationCheck> CheckReferencesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        using var command = Sql.Command(BrokenReferencesSql, connection, transaction);
        var broken = new List<string>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            broken.Add(reader.GetString(0));
        }

        return new ValidationCheck("capabilities: reference migrated resources", broken.Count == 0, broken.Count,
            broken.Count == 0 ? "ok" : $"{broken.Count} migrated capabilit(ies) point at a resource not migrated from v1", broken.Take(options.RowsListed).ToList());
    }
}
