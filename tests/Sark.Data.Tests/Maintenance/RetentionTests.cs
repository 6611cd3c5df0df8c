using Sark.Data.Maintenance;

namespace Sark.Data.Tests.Maintenance;

public sealed class RetentionTests : MaintenanceTestDatabase
{
    /// <summary>
    /// Three old cost partitions, 15, 14 and 13 months back, with a retention period that ends ten
    /// days into the newest of them: that one holds a row on each side of the cutoff.
    /// </summary>
    private async Task<TimeSpan> OldPartitionsAsync()
    {
        for (var back = 15; back >= 13; back--)
        {
            await CreatePartitionAsync("cost_tracking", CurrentMonth.AddMonths(-back));
        }

        await InsertCostAsync(CurrentMonth.AddMonths(-15).AddDays(5), count: 3);
        await InsertCostAsync(CurrentMonth.AddMonths(-14).AddDays(5), count: 2);
        var straddling = CurrentMonth.AddMonths(-13);
        await InsertCostAsync(straddling.AddDays(2));
        await InsertCostAsync(straddling.AddDays(20));
        var now = await Database.ScalarAsync<DateTime>("SELECT now()");
        return TimeSpan.FromDays(Math.Ceiling((new DateTimeOffset(DateTime.SpecifyKind(now, DateTimeKind.Utc)) - straddling.AddDays(10)).TotalDays));
    }

    [Fact]
    public async Task Retention_drops_only_whole_expired_partitions_and_never_deletes_rows()
    {
        var retention = await OldPartitionsAsync();
        // A row far older than the period, sitting in the DEFAULT partition: never touched by retention.
        await InsertCostAsync(CurrentMonth.AddMonths(-40));
        var total = await CountAsync("cost_tracking");

        var report = await Job(new MaintenanceOptions { CostRetention = retention }, MaintenanceSteps.Retention).RunAsync();

        Assert.False(report.HasFailures);
        Assert.Equal(
            [(Month("cost_tracking", CurrentMonth.AddMonths(-15)), 3L), (Month("cost_tracking", CurrentMonth.AddMonths(-14)), 2L)],
            report.Actions.Where(a => a.Kind == MaintenanceActionKinds.PartitionDropped).Select(a => (a.Target, a.Rows!.Value)));
        Assert.Equal(2, report.Actions.Count);
        Assert.False(await ExistsAsync(Month("cost_tracking", CurrentMonth.AddMonths(-15))));
        Assert.False(await ExistsAsync(Month("cost_tracking", CurrentMonth.AddMonths(-14))));
        // The partition with one row inside the period survives with both its rows, the older one too.
        Assert.Equal(2L, await CountAsync(Month("cost_tracking", CurrentMonth.AddMonths(-13))));
        Assert.Equal(1L, await CountAsync("cost_tracking_default"));
        Assert.Equal(total - 5, await CountAsync("cost_tracking"));
        Assert.StartsWith(
            $"retention: dropped {Month("cost_tracking", CurrentMonth.AddMonths(-15))} (cost_tracking, 3 row(s) before {CurrentMonth.AddMonths(-14):yyyy-MM-dd} UTC, older than the {retention.TotalDays}-day retention period)",
            report.Actions[0].Message, StringComparison.Ordinal);

        var again = await Job(new MaintenanceOptions { CostRetention = retention }, MaintenanceSteps.Retention).RunAsync();
        Assert.Empty(again.Actions);
    }

    [Fact]
    public async Task The_legacy_audit_partition_is_kept_while_its_upper_bound_is_inside_the_period()
    {
        await Database.ExecuteAsync("INSERT INTO audit_events (id, \"timestamp\", event_type) VALUES (gen_random_uuid(), now() - interval '3 years', 'user_login')");

        var report = await Job(new MaintenanceOptions { AuditRetention = TimeSpan.FromDays(1) }, MaintenanceSteps.Retention).RunAsync();

        Assert.DoesNotContain(report.Actions, a => a.Kind == MaintenanceActionKinds.PartitionDropped);
        Assert.Equal(1L, await CountAsync("audit_events_legacy"));
    }

    [Fact]
    public async Task A_drop_whose_lock_cannot_be_had_is_reported_and_done_by_the_next_run()
    {
        var retention = await OldPartitionsAsync();
        // A reader of cost_tracking: dropping a partition must lock the table exclusively.
        await using var reader = await Database.OpenAsync();
        await using var open = await reader.BeginTransactionAsync();
        await using (var read = new Npgsql.NpgsqlCommand("SELECT count(*) FROM cost_tracking", reader, open))
        {
            await read.ExecuteScalarAsync();
        }

        var options = new MaintenanceOptions { CostRetention = retention, LockTimeout = TimeSpan.FromMilliseconds(200) };
        var report = await Job(options, MaintenanceSteps.Retention).RunAsync();

        Assert.False(report.HasFailures);
        Assert.Equal(
            [Month("cost_tracking", CurrentMonth.AddMonths(-15)), Month("cost_tracking", CurrentMonth.AddMonths(-14))],
            report.Actions.Where(a => a.Kind == MaintenanceActionKinds.LockUnavailable).Select(a => a.Target));
        Assert.Equal(3L, await CountAsync(Month("cost_tracking", CurrentMonth.AddMonths(-15))));

        await open.CommitAsync();
        var next = await Job(options, MaintenanceSteps.Retention).RunAsync();

        Assert.Equal(2, next.Actions.Count(a => a.Kind == MaintenanceActionKinds.PartitionDropped));
        Assert.False(await ExistsAsync(Month("cost_tracking", CurrentMonth.AddMonths(-15))));
    }
}
