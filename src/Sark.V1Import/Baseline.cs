using System.Diagnostics;
using Npgsql;
using Sark.Data.Connection;
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
    public static async Task<(TimeSpan Elapsed, long Rows)> InsertSelectAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        await using var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken);
        var mapping = await MappingSql.LoadAsync(connection, await V1Source.DetectAsync(connection, cancellationToken), cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Sql.UseWholeTableSettingsAsync(connection, transaction, cancellationToken);

        var clock = Stopwatch.StartNew();
        long rows = 0;
        foreach (var (name, query, _) in mapping.Helpers)
        {
            await using var helper = Sql.Command($"CREATE TEMP TABLE {name} ON COMMIT DROP AS {query}", connection, transaction);
            await helper.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var table in V2Table.All)
        {
            await using var insert = Sql.Command($"""
                INSERT INTO {table.Target} (id, {table.ColumnList})
                SELECT id, {table.ColumnList} FROM ({mapping.For(table, "true")}) m WHERE m.issue_kind IS NULL
                """, connection, transaction);
            rows += await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        var elapsed = clock.Elapsed;
        await transaction.RollbackAsync(cancellationToken);
        return (elapsed, rows);
    }
}
