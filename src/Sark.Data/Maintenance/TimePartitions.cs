using Npgsql;

namespace Sark.Data.Maintenance;

/// <summary>
/// The <c>partitions</c> step: keeps a monthly partition (table_pYYYYMM, UTC months, as 007 names
/// cost_tracking's) for the current month and <see cref="MaintenanceOptions.MonthsAhead"/> more,
/// and one for every month that has rows waiting in the DEFAULT partition. A month some partition
/// already covers (the legacy audit partition, say) is left alone.
/// Each partition is created as a plain table, the DEFAULT partition's rows of its month are moved
/// into it, and it is attached, all in one transaction under the lock timeout. Attaching takes a
/// lighter lock on the table than CREATE TABLE … PARTITION OF (SHARE UPDATE EXCLUSIVE, so reads and
/// writes go on), and the DEFAULT partition is locked first so that no row of the month can land
/// there between the move and the attach.
/// </summary>
internal static class TimePartitions
{
    public static async Task RunAsync(MaintenanceContext context, string table, CancellationToken cancellationToken)
    {
        var connection = context.Connection;
        if (!await PartitionCatalog.IsPartitionedAsync(connection, table, cancellationToken).ConfigureAwait(false))
        {
            context.Report(MaintenanceActionKinds.Skipped, table, null,
                $"{context.Step}: {table} is not partitioned in this database (run 'sark db migrate'); no partitions created");
            return;
        }

        var partitions = await PartitionCatalog.ReadAsync(connection, table, cancellationToken).ConfigureAwait(false);
        var defaultPartition = partitions.FirstOrDefault(p => p.IsDefault)?.Name;
        var current = PartitionCatalog.MonthStart(await PartitionCatalog.NowAsync(connection, cancellationToken).ConfigureAwait(false));
        var months = new SortedSet<DateTimeOffset>();
        for (var i = 0; i <= context.Options.MonthsAhead; i++)
        {
            months.Add(current.AddMonths(i));
        }

        if (defaultPartition is not null)
        {
            months.UnionWith(await MonthsWaitingAsync(connection, defaultPartition, cancellationToken).ConfigureAwait(false));
        }

        var columns = await PartitionCatalog.ColumnsAsync(connection, table, cancellationToken).ConfigureAwait(false);
        foreach (var month in months)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = month.AddMonths(1);
            if (partitions.Any(p => p.Overlaps(month, next)))
            {
                continue;
            }

            await CreateAsync(context, table, defaultPartition, columns, month, next, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<IReadOnlyList<DateTimeOffset>> MonthsWaitingAsync(
        NpgsqlConnection connection, string defaultPartition, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(
            $"SELECT DISTINCT date_trunc('month', \"timestamp\" AT TIME ZONE 'UTC') FROM {PartitionCatalog.Quote(defaultPartition)} WHERE \"timestamp\" NOT IN ('infinity', '-infinity')",
            connection);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var months = new List<DateTimeOffset>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            months.Add(new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc)));
        }

        return months;
    }

    private static async Task CreateAsync(
        MaintenanceContext context, string table, string? defaultPartition, string columns,
        DateTimeOffset month, DateTimeOffset next, CancellationToken cancellationToken)
    {
        var connection = context.Connection;
        var name = PartitionCatalog.MonthlyName(table, month);
        var partition = PartitionCatalog.Quote(name);
        var bound = PartitionCatalog.Quote(name + "_bound");
        var (lower, upper) = (PartitionCatalog.Literal(month), PartitionCatalog.Literal(next));
        long moved = 0;
        var created = await DdlTransaction.RunAsync(context, name, $"create partition {name} of {table}", async transaction =>
        {
            if (defaultPartition is not null)
            {
                await DdlTransaction.ExecuteAsync(connection, transaction,
                    $"LOCK TABLE {PartitionCatalog.Quote(defaultPartition)} IN ACCESS EXCLUSIVE MODE", cancellationToken).ConfigureAwait(false);
            }

            await DdlTransaction.ExecuteAsync(connection, transaction,
                $"CREATE TABLE {partition} (LIKE {PartitionCatalog.Quote(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION)",
                cancellationToken).ConfigureAwait(false);
            if (defaultPartition is not null)
            {
                moved = await DdlTransaction.ExecuteAsync(connection, transaction, $"""
                    WITH moved AS (
                        DELETE FROM {PartitionCatalog.Quote(defaultPartition)}
                        WHERE "timestamp" >= {lower} AND "timestamp" < {upper}
                        RETURNING {columns})
                    INSERT INTO {partition} ({columns}) SELECT {columns} FROM moved
                    """, cancellationToken).ConfigureAwait(false);
            }

            // A valid CHECK matching the bound spares the attach a scan of the new table; once
            // attached, the partition constraint says the same and the CHECK goes.
            await DdlTransaction.ExecuteAsync(connection, transaction,
                $"ALTER TABLE {partition} ADD CONSTRAINT {bound} CHECK (\"timestamp\" >= {lower} AND \"timestamp\" < {upper})",
                cancellationToken).ConfigureAwait(false);
            await DdlTransaction.ExecuteAsync(connection, transaction,
                $"ALTER TABLE {PartitionCatalog.Quote(table)} ATTACH PARTITION {partition} FOR VALUES FROM ({lower}) TO ({upper})",
                cancellationToken).ConfigureAwait(false);
            await DdlTransaction.ExecuteAsync(connection, transaction,
                $"ALTER TABLE {partition} DROP CONSTRAINT {bound}", cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        if (!created)
        {
            return;
        }

        context.Report(MaintenanceActionKinds.PartitionCreated, name, null,
            $"{context.Step}: created {name} for {month:yyyy-MM} ({table}, from {month:yyyy-MM-dd} to {next:yyyy-MM-dd} UTC)");
        if (moved > 0)
        {
            context.Report(MaintenanceActionKinds.RowsMoved, name, moved,
                $"{context.Step}: moved {moved} row(s) of {month:yyyy-MM} from {defaultPartition} into {name}");
        }
    }
}
