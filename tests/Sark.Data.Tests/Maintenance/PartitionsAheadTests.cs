using Sark.Data.Maintenance;

namespace Sark.Data.Tests.Maintenance;

public sealed class PartitionsAheadTests : MaintenanceTestDatabase
{
    [Fact]
    public async Task Partitions_are_created_ahead_for_both_tables_and_a_second_run_does_nothing()
    {
        var report = await Job(new MaintenanceOptions { MonthsAhead = 3 }).RunAsync();

        Assert.Null(report.SkippedBecause);
        Assert.False(report.HasFailures);
        var cost = await PartitionsAsync("cost_tracking");
        var audit = await PartitionsAsync("audit_events");
        for (var i = 0; i <= 3; i++)
        {
            Assert.Contains(Month("cost_tracking", CurrentMonth.AddMonths(i)), cost.Split(','));
        }

        // 007 made this month and the next; the audit legacy partition reaches two months ahead.
        Assert.Equal(
            [Month("cost_tracking", CurrentMonth.AddMonths(2)), Month("cost_tracking", CurrentMonth.AddMonths(3)),
             Month("audit_events", CurrentMonth.AddMonths(2)), Month("audit_events", CurrentMonth.AddMonths(3))],
            report.Actions.Where(a => a.Kind == MaintenanceActionKinds.PartitionCreated).Select(a => a.Target));
        Assert.Equal(
            ["audit_events_default", "audit_events_legacy", Month("audit_events", CurrentMonth.AddMonths(2)), Month("audit_events", CurrentMonth.AddMonths(3))],
            audit.Split(',').Order(StringComparer.Ordinal));
        Assert.Equal(
            $"partitions: created {Month("cost_tracking", CurrentMonth.AddMonths(2))} for {CurrentMonth.AddMonths(2):yyyy-MM} (cost_tracking, from {CurrentMonth.AddMonths(2):yyyy-MM-dd} to {CurrentMonth.AddMonths(3):yyyy-MM-dd} UTC)",
            report.Actions[0].Message);

        var again = await Job(new MaintenanceOptions { MonthsAhead = 3 }).RunAsync();

        // Nothing but the rollups' window, which every run recomputes.
        Assert.Equal(["rollups"], again.Actions.Select(a => a.Step));
        Assert.Equal(cost, await PartitionsAsync("cost_tracking"));
        Assert.Equal(audit, await PartitionsAsync("audit_events"));
    }

    [Fact]
    public async Task A_created_partition_has_the_indexes_and_constraints_of_one_made_by_partition_of()
    {
        await Job(new MaintenanceOptions { MonthsAhead = 2 }).RunAsync();
        const string Shape = """
            SELECT string_agg(x, E'\n' ORDER BY x) FROM (
                SELECT 'index ' || regexp_replace(pg_get_indexdef(indexrelid), '_p[0-9]{6}', '_pX', 'g') AS x FROM pg_index WHERE indrelid = '{0}'::regclass
                UNION ALL SELECT 'constraint ' || regexp_replace(conname, '_p[0-9]{6}', '_pX') || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '{0}'::regclass
                UNION ALL SELECT 'column ' || attname || ' ' || format_type(atttypid, atttypmod) || ' ' || attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
                FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE a.attrelid = '{0}'::regclass AND a.attnum > 0 AND NOT a.attisdropped) AS shape
            """;

        var made = await Database.ScalarAsync<string>(Shape.Replace("{0}", Month("cost_tracking", CurrentMonth.AddMonths(2)), StringComparison.Ordinal));
        var by007 = await Database.ScalarAsync<string>(Shape.Replace("{0}", Month("cost_tracking", CurrentMonth), StringComparison.Ordinal));

        Assert.Contains("cost_tracking_pX_principal_id_timestamp_idx", made, StringComparison.Ordinal);
        Assert.Contains("constraint ck_cost_tracking_currency", made, StringComparison.Ordinal);
        Assert.Equal(by007.Replace("_pX", "", StringComparison.Ordinal), made.Replace("_pX", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rows_waiting_in_a_default_partition_are_moved_out_when_their_partition_is_created()
    {
        var costMonth = CurrentMonth.AddMonths(8);
        var auditMonth = CurrentMonth.AddMonths(9);
        await InsertCostAsync(costMonth.AddDays(3), count: 4);
        await Database.ExecuteAsync($"INSERT INTO audit_events (id, \"timestamp\", event_type) VALUES (gen_random_uuid(), {Literal(auditMonth.AddDays(1))}, 'user_login')");
        Assert.Equal(4L, await CountAsync("cost_tracking_default"));
        Assert.Equal(1L, await CountAsync("audit_events_default"));

        var report = await Job(new MaintenanceOptions { MonthsAhead = 3 }).RunAsync();

        Assert.False(report.HasFailures);
        Assert.Equal(
            [(Month("cost_tracking", costMonth), 4L), (Month("audit_events", auditMonth), 1L)],
            report.Actions.Where(a => a.Kind == MaintenanceActionKinds.RowsMoved).Select(a => (a.Target, a.Rows!.Value)));
        Assert.Equal(0L, await CountAsync("cost_tracking_default"));
        Assert.Equal(0L, await CountAsync("audit_events_default"));
        Assert.Equal(4L, await CountAsync(Month("cost_tracking", costMonth)));
        Assert.Equal(1L, await CountAsync(Month("audit_events", auditMonth)));
        // The months in between that nothing asked for are not created.
        Assert.False(await ExistsAsync(Month("cost_tracking", CurrentMonth.AddMonths(7))));
        Assert.Equal(
            $"partitions: moved 4 row(s) of {costMonth:yyyy-MM} from cost_tracking_default into {Month("cost_tracking", costMonth)}",
            report.Actions.First(a => a.Kind == MaintenanceActionKinds.RowsMoved).Message);
    }

    [Fact]
    public async Task A_partition_whose_lock_cannot_be_had_is_reported_and_created_by_the_next_run()
    {
        // An open reader of the DEFAULT partition: creating a cost partition must lock it exclusively.
        await using var reader = await Database.OpenAsync();
        await using var open = await reader.BeginTransactionAsync();
        await using (var read = new Npgsql.NpgsqlCommand("SELECT count(*) FROM cost_tracking_default", reader, open))
        {
            await read.ExecuteScalarAsync();
        }

        var report = await Job(new MaintenanceOptions { MonthsAhead = 3, LockTimeout = TimeSpan.FromMilliseconds(200) }).RunAsync();

        Assert.False(report.HasFailures);
        Assert.True(report.HasLockTimeouts);
        var refused = report.Actions.Where(a => a.Kind == MaintenanceActionKinds.LockUnavailable).ToList();
        Assert.Equal([Month("cost_tracking", CurrentMonth.AddMonths(2)), Month("cost_tracking", CurrentMonth.AddMonths(3))], refused.Select(a => a.Target));
        Assert.Contains("within 200 ms (lock_timeout); nothing changed, the next run tries again", refused[0].Message, StringComparison.Ordinal);
        Assert.False(await ExistsAsync(Month("cost_tracking", CurrentMonth.AddMonths(2))));
        // The other table's partitions were not held up.
        Assert.True(await ExistsAsync(Month("audit_events", CurrentMonth.AddMonths(3))));

        await open.CommitAsync();
        var next = await Job(new MaintenanceOptions { MonthsAhead = 3 }).RunAsync();

        Assert.Equal(2, next.Actions.Count(a => a.Kind == MaintenanceActionKinds.PartitionCreated));
        Assert.True(await ExistsAsync(Month("cost_tracking", CurrentMonth.AddMonths(3))));
    }
}
