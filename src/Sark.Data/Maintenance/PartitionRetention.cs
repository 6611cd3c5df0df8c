using Npgsql;

namespace Sark.Data.Maintenance;

/// <summary>
/// The <c>retention</c> step: drops the partitions of a table whose upper bound is at or before
/// now minus the table's retention period, so every row they can hold is older than the period.
/// Never row by row, never the DEFAULT partition, never a partition without an upper bound. Each
/// drop is one transaction under the lock timeout: the partition is locked against writes, its rows
/// are counted (the count is reported), and should any row be inside the period after all, the
/// partition is kept and reported instead.
/// </summary>
internal static class PartitionRetention
{
    public static async Task RunAsync(MaintenanceContext context, string table, TimeSpan retention, CancellationToken cancellationToken)
    {
        var connection = context.Connection;
        if (!await PartitionCatalog.IsPartitionedAsync(connection, table, cancellationToken).ConfigureAwait(false))
        {
            context.Report(MaintenanceActionKinds.Skipped, table, null,
                $"{context.Step}: {table} is not partitioned in this database (run 'sark db migrate'); nothing dropped");
            return;
        }

        var cutoff = await PartitionCatalog.NowAsync(connection, cancellationToken).ConfigureAwait(false) - retention;
        var partitions = await PartitionCatalog.ReadAsync(connection, table, cancellationToken).ConfigureAwait(false);
        foreach (var expired in partitions.Where(p => !p.IsDefault && p.Upper is { } upper && upper <= cutoff))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await DropAsync(context, table, expired, cutoff, retention, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task DropAsync(
        MaintenanceContext context, string table, TimePartition expired, DateTimeOffset cutoff, TimeSpan retention, CancellationToken cancellationToken)
    {
        var connection = context.Connection;
        var partition = PartitionCatalog.Quote(expired.Name);
        long rows = 0;
        long inside = 0;
        var locked = await DdlTransaction.RunAsync(context, expired.Name, $"drop partition {expired.Name} of {table}", async transaction =>
        {
            // SHARE: no one writes to the partition while it is counted; readers go on.
            await DdlTransaction.ExecuteAsync(connection, transaction, $"LOCK TABLE {partition} IN SHARE MODE", cancellationToken).ConfigureAwait(false);
            using (var count = new NpgsqlCommand(
                $"SELECT count(*), count(*) FILTER (WHERE \"timestamp\" >= {PartitionCatalog.Literal(cutoff)}) FROM {partition}", connection, transaction))
            {
                var reader = await count.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using var readerDisposal = reader.ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                (rows, inside) = (reader.GetInt64(0), reader.GetInt64(1));
            }

            if (inside > 0)
            {
                return false;
            }

            await DdlTransaction.ExecuteAsync(connection, transaction, $"DROP TABLE {partition}", cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        if (!locked)
        {
            return;
        }

        var period = retention.Ticks % TimeSpan.TicksPerDay == 0 ? $"{(long)retention.TotalDays}-day" : $"{retention}";
        if (inside > 0)
        {
            context.Report(MaintenanceActionKinds.PartitionKept, expired.Name, inside,
                $"{context.Step}: kept {expired.Name} ({table}): {inside} of its {rows} row(s) are inside the {period} retention period");
            return;
        }

        context.Report(MaintenanceActionKinds.PartitionDropped, expired.Name, rows,
            $"{context.Step}: dropped {expired.Name} ({table}, {rows} row(s) before {expired.Upper:yyyy-MM-dd} UTC, older than the {period} retention period)");
    }
}
