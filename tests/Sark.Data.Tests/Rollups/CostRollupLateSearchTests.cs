using Npgsql;
using Sark.Data.Rollups;
using Sark.Testing;

namespace Sark.Data.Tests.Rollups;

/// <summary>
/// The late-row search starts above late_scan_id: after a rebuild it must not reread the whole
/// history, yet a row whose transaction was open (its id already taken, below ids that committed)
/// at a refresh or a rebuild must still be counted, exactly once, once it commits.
/// </summary>
public sealed class CostRollupLateSearchTests
{
    private static readonly CostRollupOptions OneDay = new() { Window = TimeSpan.FromDays(1) };

    [Fact]
    public async Task A_rebuild_with_nothing_in_flight_leaves_the_next_refresh_only_newer_ids_to_search()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var rollups = new CostRollups(database.DataSource);
        await CostRows.InsertAsync(database, CostRows.Today.AddDays(-200), "p-settle", "r-settle", "c-settle", 1m, null);
        await CostRows.InsertAsync(database, CostRows.Today.AddHours(-2), "p-settle", "r-settle", "c-settle", 2m, null);

        var first = await rollups.RefreshAsync();
        Assert.True(first.FirstRun);
        Assert.Equal(await MaxIdAsync(database), await LateScanIdAsync(database));

        // Only the day of the new row stamped long ago is recomputed, not the day 200 days back.
        var old = CostRows.Today.AddDays(-40).AddHours(7);
        await CostRows.InsertAsync(database, old, "p-settle", "r-settle", "c-settle", 4m, null);
        var next = await rollups.RefreshAsync(OneDay);
        Assert.Equal([DateOnly.FromDateTime(old.UtcDateTime)], next.LateDays);
        Assert.Equal(await MaxIdAsync(database), await LateScanIdAsync(database));
        Assert.Equal(0, await CostRows.RollupMismatchesAsync(database, next.ExactThrough!.Value));
    }

    [Fact]
    public async Task A_row_in_flight_under_a_committed_id_across_a_refresh_is_counted_once_after_it_commits()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var rollups = new CostRollups(database.DataSource);
        await CostRows.InsertAsync(database, CostRows.Today.AddDays(-30), "p-other", "r-flight", "c-flight", 1m, null);
        await rollups.RefreshAsync();
        var settled = await LateScanIdAsync(database);

        var old = CostRows.Today.AddDays(-20).AddHours(5);
        await using var backfill = await database.OpenAsync();
        await using var open = await backfill.BeginTransactionAsync();
        var inFlightId = await InsertReturningIdAsync(backfill, open, old, 2.5m);
        await CostRows.InsertAsync(database, CostRows.Today.AddHours(-1), "p-charge", "r-flight", "c-flight", null, 1m);
        Assert.True(await MaxIdAsync(database) > inFlightId);

        // The refresh sees the higher id but not the row under it: late_scan_id must stay below it.
        var during = await rollups.RefreshAsync(OneDay);
        Assert.Empty(during.LateDays);
        Assert.Equal(settled, await LateScanIdAsync(database));
        Assert.Equal(0L, await InFlightDayCountAsync(database, old));

        await open.CommitAsync();
        var after = await rollups.RefreshAsync(OneDay);
        Assert.Contains(DateOnly.FromDateTime(old.UtcDateTime), after.LateDays);
        Assert.True(await LateScanIdAsync(database) >= inFlightId);
        var again = await rollups.RefreshAsync(OneDay);
        Assert.Empty(again.LateDays);

        Assert.Equal(1L, await InFlightDayCountAsync(database, old));
        Assert.Equal(0, await CostRows.RollupMismatchesAsync(database, again.ExactThrough!.Value));
        var summary = await new CostSummaries(database.DataSource).SummarizeAsync(
            new CostSummaryQuery { By = CostGrouping.Principal, From = CostRows.Today.AddDays(-25), To = CostRows.Today.AddDays(-10) });
        Assert.Equal(2.5m, Assert.Single(summary.Groups).TotalCost);
    }

    [Fact]
    public async Task A_rebuild_over_a_row_in_flight_settles_nothing_and_the_next_refresh_still_finds_the_row()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var rollups = new CostRollups(database.DataSource);
        var old = CostRows.Today.AddDays(-20).AddHours(5);
        await using var backfill = await database.OpenAsync();
        await using var open = await backfill.BeginTransactionAsync();
        await InsertReturningIdAsync(backfill, open, old, 2.5m);
        await CostRows.InsertAsync(database, CostRows.Today.AddHours(-1), "p-charge", "r-flight", "c-flight", null, 1m);

        // It waits (here 300 ms) for the open transaction, then leaves late_scan_id unset.
        var rebuild = await rollups.RefreshAsync(new CostRollupOptions { LockTimeout = TimeSpan.FromMilliseconds(300) });
        Assert.True(rebuild.FirstRun);
        Assert.True(rebuild.RollupDuration >= TimeSpan.FromMilliseconds(250));
        Assert.Equal(-1L, await LateScanIdAsync(database));
        Assert.Equal(0L, await InFlightDayCountAsync(database, old));

        await open.CommitAsync();
        var after = await rollups.RefreshAsync(OneDay);
        Assert.Contains(DateOnly.FromDateTime(old.UtcDateTime), after.LateDays);
        Assert.Equal(await MaxIdAsync(database), await LateScanIdAsync(database));
        var again = await rollups.RefreshAsync(OneDay);
        Assert.Empty(again.LateDays);
        Assert.Equal(1L, await InFlightDayCountAsync(database, old));
        Assert.Equal(0, await CostRows.RollupMismatchesAsync(database, again.ExactThrough!.Value));
    }

    [Fact]
    public async Task A_rebuild_waits_for_a_row_in_flight_to_commit_and_then_counts_it_itself()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var rollups = new CostRollups(database.DataSource);
        var old = CostRows.Today.AddDays(-20).AddHours(5);
        await using var backfill = await database.OpenAsync();
        await using var open = await backfill.BeginTransactionAsync();
        var inFlightId = await InsertReturningIdAsync(backfill, open, old, 2.5m);
        await CostRows.InsertAsync(database, CostRows.Today.AddHours(-1), "p-charge", "r-flight", "c-flight", null, 1m);

        var rebuild = Task.Run(() => rollups.RefreshAsync(new CostRollupOptions { LockTimeout = TimeSpan.FromSeconds(30) }));
        await Task.Delay(500);
        Assert.False(rebuild.IsCompleted);
        await open.CommitAsync();
        var report = await rebuild;

        Assert.True(await LateScanIdAsync(database) > inFlightId);
        Assert.Equal(1L, await InFlightDayCountAsync(database, old));
        Assert.Equal(0, await CostRows.RollupMismatchesAsync(database, report.ExactThrough!.Value));
    }

    private static async Task<long> InsertReturningIdAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset at, decimal cost)
    {
        await using var insert = new NpgsqlCommand($"""
            INSERT INTO cost_tracking ("timestamp", principal_id, resource_id, capability_id, actual_cost)
            VALUES ('{at.UtcDateTime:O}', 'p-inflight', 'r-flight', 'c-flight', {cost})
            RETURNING id
            """, connection, transaction);
        return (long)(await insert.ExecuteScalarAsync())!;
    }

    private static Task<long> InFlightDayCountAsync(TestDatabase database, DateTimeOffset at) =>
        database.ScalarAsync<long>($"""
            SELECT coalesce(sum(invocation_count), 0)::bigint FROM cost_rollup_daily
            WHERE principal_id = 'p-inflight' AND bucket = '{CostRollups.FloorDay(at).UtcDateTime:O}'
            """);

    private static Task<long> MaxIdAsync(TestDatabase database) => database.ScalarAsync<long>("SELECT max(id) FROM cost_tracking");

    private static Task<long> LateScanIdAsync(TestDatabase database) =>
        database.ScalarAsync<long>("SELECT coalesce(late_scan_id, -1) FROM cost_rollup_state");
}
