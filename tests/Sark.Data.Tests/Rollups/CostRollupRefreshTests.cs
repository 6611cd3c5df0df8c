using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Rollups;
using Sark.Testing;

namespace Sark.Data.Tests.Rollups;

/// <summary>The trailing-window refresh: exact after late rows, once under concurrency, the view refreshed concurrently.</summary>
public sealed class CostRollupRefreshTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private readonly TestDatabase database = fixture.Database;

    private CostRollups Rollups => new(database.DataSource);

    [Fact]
    public async Task A_late_row_inside_the_window_is_counted_once_after_the_next_refresh()
    {
        var day = CostRows.Today.AddDays(-1);
        await CostRows.InsertAsync(database, day.AddHours(3), "p-late", "r-late", "c-late", 1.0m, null);
        await CostRows.InsertAsync(database, day.AddHours(3).AddMinutes(59), "p-late", "r-late", "c-late", null, 2.0m);
        var first = await Rollups.RefreshAsync();
        Assert.False(first.Skipped);
        Assert.Equal(0, await CostRows.RollupMismatchesAsync(database, first.ExactThrough!.Value));

        // Stamped yesterday, arriving now: inside the window, so the next refresh recomputes its hour.
        await CostRows.InsertAsync(database, day.AddHours(3).AddMinutes(30), "p-late", "r-late", "c-late", 4.0m, null);
        Assert.NotEqual(0, await CostRows.RollupMismatchesAsync(database, first.ExactThrough!.Value));
        var second = await Rollups.RefreshAsync();
        var third = await Rollups.RefreshAsync();
        Assert.Equal(0, await CostRows.RollupMismatchesAsync(database, third.ExactThrough!.Value));
        Assert.Equal(CostRollups.FloorDay(second.ExactThrough!.Value - CostRollupOptions.DefaultWindow), second.RecomputedFrom);
        Assert.Equal(7.0m, await database.ScalarAsync<decimal>(
            $"SELECT total_cost FROM cost_rollup_hourly WHERE principal_id = 'p-late' AND bucket = '{day.AddHours(3).UtcDateTime:O}'"));
        Assert.Equal(3L, await database.ScalarAsync<long>("SELECT sum(invocation_count)::bigint FROM cost_rollup_daily WHERE principal_id = 'p-late'"));
    }

    [Fact]
    public async Task A_row_stamped_before_the_window_that_arrives_later_gets_its_day_recomputed()
    {
        await Rollups.RefreshAsync();
        var old = CostRows.Today.AddDays(-20).AddHours(5);
        await CostRows.InsertAsync(database, old, "p-backfill", "r-backfill", "c-backfill", 3.5m, null, "EUR");
        var report = await Rollups.RefreshAsync(new CostRollupOptions { Window = TimeSpan.FromDays(1) });
        Assert.Contains(DateOnly.FromDateTime(old.UtcDateTime), report.LateDays);
        Assert.Equal(0, await CostRows.RollupMismatchesAsync(database, report.ExactThrough!.Value));
        Assert.Equal(3.5m, await database.ScalarAsync<decimal>("SELECT total_cost FROM cost_rollup_daily WHERE principal_id = 'p-backfill' AND currency = 'EUR'"));

        // Deleted behind the rollups' back: only a recompute from that day puts them right again.
        await database.ExecuteAsync("DELETE FROM cost_tracking WHERE principal_id = 'p-backfill'");
        await Rollups.RefreshAsync();
        Assert.NotEqual(0, await CostRows.RollupMismatchesAsync(database, report.ExactThrough!.Value));
        var rebuilt = await Rollups.RefreshAsync(new CostRollupOptions { RecomputeFrom = old });
        Assert.Equal(CostRollups.FloorDay(old), rebuilt.RecomputedFrom);
        Assert.Equal(0, await CostRows.RollupMismatchesAsync(database, rebuilt.ExactThrough!.Value));

        // The operator's way (runbook.md): lower exact_through to the day touched.
        await CostRows.InsertAsync(database, old.AddHours(1), "p-restored", "r-backfill", "c-backfill", 2m, null);
        await Rollups.RefreshAsync();
        await database.ExecuteAsync("DELETE FROM cost_tracking WHERE principal_id = 'p-restored'");
        await Rollups.RefreshAsync();
        Assert.NotEqual(0, await CostRows.RollupMismatchesAsync(database, rebuilt.ExactThrough!.Value));
        await database.ExecuteAsync($"UPDATE cost_rollup_state SET exact_through = '{CostRollups.FloorDay(old).UtcDateTime:O}'");
        var recomputed = await Rollups.RefreshAsync();
        Assert.Equal(CostRollups.FloorDay(old), recomputed.RecomputedFrom);
        Assert.Equal(0, await CostRows.RollupMismatchesAsync(database, recomputed.ExactThrough!.Value));
    }

    [Fact]
    public async Task Refreshers_running_at_once_do_the_work_once_and_the_totals_stay_exact()
    {
        var start = CostRows.Today.AddHours(-30);
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 20; i++)
            {
                await CostRows.InsertAsync(database, start.AddMinutes(i * 17 + round), $"p-race-{i % 3}", "r-race", "c-race", 0.5m + i, null);
            }

            var reports = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Rollups.RefreshAsync())));
            Assert.Contains(reports, r => !r.Skipped);
            Assert.All(reports.Where(r => r.Skipped), r => Assert.False(string.IsNullOrEmpty(r.HeldBy)));
            var exact = reports.Where(r => !r.Skipped).Max(r => r.ExactThrough!.Value);
            Assert.Equal(0, await CostRows.RollupMismatchesAsync(database, exact));
        }
    }

    [Fact]
    public async Task A_refresher_finding_the_lock_held_skips_and_says_who_holds_it_or_waits_when_told()
    {
        await using var holder = await database.OpenAsync();
        await AdvisoryLock.AcquireAsync(holder, CostRollups.RollupLock, TimeSpan.FromSeconds(5), CancellationToken.None);
        var pid = holder.ProcessID;
        var skipped = await Rollups.RefreshAsync();
        Assert.True(skipped.Skipped);
        Assert.StartsWith($"pid {pid} ", skipped.HeldBy, StringComparison.Ordinal);
        Assert.Null(skipped.ExactThrough);

        var waiting = Task.Run(() => Rollups.RefreshAsync(new CostRollupOptions { WaitForOtherRefresh = TimeSpan.FromSeconds(30) }));
        await Task.Delay(500);
        Assert.False(waiting.IsCompleted);
        await AdvisoryLock.ReleaseAsync(holder, CostRollups.RollupLock, CancellationToken.None);
        var waited = await waiting;
        Assert.False(waited.Skipped);
        Assert.NotNull(waited.ExactThrough);
    }

    [Fact]
    public async Task The_view_refreshes_concurrently_so_a_reader_is_not_blocked_meanwhile()
    {
        await CostRows.InsertAsync(database, CostRows.Today.AddHours(-2), "p-view", "r-view", "c-view", 1.25m, null);
        await using var blocker = await database.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();

        // The view's query reads resources: while this lock is held the refresh is in progress,
        // holding whatever lock it takes on the view.
        await using (var lockResources = new NpgsqlCommand("LOCK TABLE resources IN ACCESS EXCLUSIVE MODE", blocker, transaction))
        {
            await lockResources.ExecuteNonQueryAsync();
        }

        var refresh = Task.Run(() => Rollups.RefreshViewAsync(new CostRollupOptions { LockTimeout = TimeSpan.FromSeconds(30) }));
        await WaitUntilAsync(async () => await database.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'REFRESH MATERIALIZED VIEW%'") == 1);

        await using (var reader = await database.OpenAsync())
        {
            await using var read = new NpgsqlCommand("SET statement_timeout = '3s'; SELECT count(*) FROM mv_daily_cost_summary", reader);
            Assert.True((long)(await read.ExecuteScalarAsync())! >= 0);
        }

        Assert.False(refresh.IsCompleted);
        await transaction.CommitAsync();
        await refresh;
        Assert.Equal(1.25m, await database.ScalarAsync<decimal>("SELECT total_cost FROM mv_daily_cost_summary WHERE principal_id = 'p-view'"));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("the refresh never started waiting");
    }
}
