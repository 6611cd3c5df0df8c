using System.Diagnostics;
using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.V1Import.Mapping;

namespace Sark.V1Import;

/// <summary>
/// The floor the importer is measured against: the same mapping as one bare INSERT … SELECT per
/// table, no batches, checkpoints or provenance, run in a transaction that is rolled back. The
/// helper relations are computed first (as the importer does), so the capabilities statement
/// does not see the resources the first statement wrote as native conflicts.
/// </summary>
public static class Baseline
{
    // The helpers, then one INSERT … SELECT per table; the row counts of the inserts are the rows written.
    private static readonly string[] HelpersSql =
    [
        $"CREATE TEMP TABLE v1_native ON COMMIT DROP AS {MappingSql.NativeSql}",
        $"CREATE TEMP TABLE v1_server_status ON COMMIT DROP AS {MappingSql.ServerStatusSql}",
        $"CREATE TEMP TABLE v1_tool_duplicates ON COMMIT DROP AS {MappingSql.ToolDuplicatesSql}",
    ];

    private static readonly string[] InsertsSql =
    [
        $"""
        INSERT INTO resources (id, name, protocol, endpoint, sensitivity_level, metadata, created_at, updated_at)
        SELECT id, name, protocol, endpoint, sensitivity_level, metadata, created_at, updated_at FROM (
        {MappingSql.MapServersSql}
        ) m WHERE m.issue_kind IS NULL
        """,
        $"""
        INSERT INTO capabilities (id, resource_id, name, description, input_schema, output_schema, sensitivity_level, metadata,
                                  created_at, updated_at)
        SELECT id, resource_id, name, description, input_schema, output_schema, sensitivity_level, metadata, created_at, updated_at FROM (
        {MappingSql.MapToolsSql}
        ) m WHERE m.issue_kind IS NULL
        """,
    ];

    /// <summary>
    /// How long the bare INSERT … SELECTs take on this database and how many rows they write; the
    /// transaction is rolled back.
    /// </summary>
    public static async Task<(TimeSpan Elapsed, long Rows)> InsertSelectAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            await MappingSql.LoadAsync(connection, await V1Source.DetectAsync(connection, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var transactionDisposal = transaction.ConfigureAwait(false);
            await Sql.UseWholeTableSettingsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);

            var clock = Stopwatch.StartNew();
            long rows = 0;
            foreach (var sql in HelpersSql)
            {
                using var helper = Sql.Command(sql, connection, transaction);
                await helper.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var sql in InsertsSql)
            {
                using var insert = Sql.Command(sql, connection, transaction);
                rows += await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var elapsed = clock.Elapsed;
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return (elapsed, rows);
        }
        catch (NpgsqlException ex)
        {
            // A database error nothing inside handled leaves as a SarkException with its kind.
            throw PostgresErrors.Translate(ex);
        }
    }
}
