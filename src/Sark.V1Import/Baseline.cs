using System.Diagnostics;
using Npgsql;
using Sark.Data.Connection;
using Sark.V1Import.Mapping;

namespace Sark.V1Import;

/// <summary>
/// The floor the importer is measured against: the same mapping as one bare INSERT … SELECT per
/// table, no batches, checkpoints or provenance, run in a transaction that is rolled back.
/// </summary>
public static class Baseline
{
    public static async Task<TimeSpan> InsertSelectAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        await using var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken);
        var mapping = new MappingSql(await V1Source.DetectAsync(connection, cancellationToken));
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        foreach (var table in V2Table.All)
        {
            await using var insert = Sql.Command($"""
                WITH {mapping.HelpersAsCte}
                INSERT INTO {table.Target} (id, {table.ColumnList})
                SELECT id, {table.ColumnList} FROM ({mapping.For(table, "true")}) m WHERE m.issue_kind IS NULL
                """, connection, transaction);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        var elapsed = clock.Elapsed;
        await transaction.RollbackAsync(cancellationToken);
        return elapsed;
    }
}
