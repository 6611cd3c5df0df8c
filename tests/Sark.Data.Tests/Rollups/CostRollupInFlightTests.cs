using Npgsql;
using Sark.Data.Rollups;
using Sark.Testing;

namespace Sark.Data.Tests.Rollups;

/// <summary>
/// A cost row whose id was taken before a refresh but whose transaction committed after it (a
/// backfill stamped in the past, running while charges commit higher ids).
/// </summary>
public sealed class CostRollupInFlightTests
{
    [Fact]
    public async Task A_row_committed_after_a_refresh_under_its_id_watermark_is_still_counted()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var rollups = new CostRollups(database.DataSource);
        await rollups.RefreshAsync();
        var old = CostRows.Today.AddDays(-20).AddHours(5);

        await using var backfill = await database.OpenAsync();
        await using var open = await backfill.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand($"""
            INSERT INTO cost_tracking ("timestamp", principal_id, resource_id, capability_id, actual_cost)
            VALUES ('{old.UtcDateTime:O}', 'p-inflight', 'r-inflight', 'c-inflight', 2.5)
            """, backfill, open))
        {
            await insert.ExecuteNonQueryAsync();
        }

        // A charge commits a higher id meanwhile; the refresh sees it, not the backfill row.
        await CostRows.InsertAsync(database, CostRows.Today.AddHours(-1), "p-inflight", "r-inflight", "c-inflight", null, 1m);
        await rollups.RefreshAsync();
        await open.CommitAsync();

        var report = await rollups.RefreshAsync(new CostRollupOptions { Window = TimeSpan.FromDays(1) });
        await rollups.RefreshAsync(new CostRollupOptions { Window = TimeSpan.FromDays(1) });

        Assert.Equal(0, await CostRows.RollupMismatchesAsync(database, report.ExactThrough!.Value));
        var summary = await new CostSummaries(database.DataSource).SummarizeAsync(
            new CostSummaryQuery { By = CostGrouping.Principal, From = CostRows.Today.AddDays(-30), To = CostRows.Today.AddDays(-10) });
        Assert.Equal(2.5m, Assert.Single(summary.Groups).TotalCost);
    }
}
