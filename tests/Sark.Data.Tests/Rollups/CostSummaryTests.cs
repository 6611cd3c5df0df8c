using Sark.Data.Rollups;
using Sark.Testing;

namespace Sark.Data.Tests.Rollups;

/// <summary>Summaries read partly from rollups equal the direct computation over cost_tracking, for every grouping.</summary>
public sealed class CostSummaryTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private readonly TestDatabase database = fixture.Database;

    private CostSummaries Summaries => new(database.DataSource);

    // Rows on bucket edges (whole hours, midnights, the last microsecond of an hour), in two
    // currencies, with and without costs, for a resource that stays, one deleted after the
    // refresh, and one that never existed.
    private async Task SeedAsync(string tag, DateTimeOffset start)
    {
        await database.ExecuteAsync($"""
            INSERT INTO resources (id, name, protocol, endpoint) VALUES
              ('{tag}-r-http', 'n', 'http', 'https://a'), ('{tag}-r-grpc', 'n', 'grpc', 'h:1'), ('{tag}-r-gone', 'n', 'mcp', 'cmd');
            """);
        string[] resources = [$"{tag}-r-http", $"{tag}-r-grpc", $"{tag}-r-gone", $"{tag}-r-never"];
        var offsets = new[]
        {
            TimeSpan.Zero, TimeSpan.FromHours(1), TimeSpan.FromHours(1) - TimeSpan.FromTicks(10), TimeSpan.FromMinutes(90),
            TimeSpan.FromDays(1), TimeSpan.FromDays(1) - TimeSpan.FromTicks(10), TimeSpan.FromHours(30.5), TimeSpan.FromDays(2) + TimeSpan.FromMinutes(1),
            TimeSpan.FromHours(61), TimeSpan.FromHours(71.99),
        };
        for (var i = 0; i < offsets.Length * 3; i++)
        {
            decimal? estimated = i % 5 == 4 ? null : 0.1m * (i + 1);
            decimal? actual = i % 3 == 0 ? 0.000001m * i : null;
            await CostRows.InsertAsync(database, start + offsets[i % offsets.Length], $"{tag}-p{i % 3}", resources[i % 4], $"{tag}-c{i % 5}", estimated, actual, i % 7 == 0 ? "EUR" : "USD");
        }
    }

    private async Task AssertEqualsDirectAsync(DateTimeOffset from, DateTimeOffset to, string? principal = null)
    {
        foreach (var by in Enum.GetValues<CostGrouping>())
        {
            var summary = await Summaries.SummarizeAsync(new CostSummaryQuery { By = by, From = from, To = to, Principal = principal });
            var direct = await CostRows.DirectAsync(database, by, from, to, principal);
            Assert.Equal(direct, summary.Groups);
            Assert.Equal(direct.Sum(g => g.InvocationCount), summary.InvocationsFromRollups + summary.InvocationsFromCostRows);
        }
    }

    [Fact]
    public async Task Every_grouping_equals_the_direct_computation_with_late_rows_edges_later_rows_and_a_deleted_resource()
    {
        var start = CostRows.Today.AddDays(-4);
        await SeedAsync("s1", start);
        var report = await new CostRollups(database.DataSource).RefreshAsync();

        // After the refresh: a resource deleted, late rows inside the rolled hours, rows after it.
        await database.ExecuteAsync("DELETE FROM resources WHERE id = 's1-r-gone'");
        await CostRows.InsertAsync(database, start.AddHours(1), "s1-p0", "s1-r-http", "s1-c0", 9m, null);
        await CostRows.InsertAsync(database, start.AddDays(1).AddMinutes(5), "s1-p1", "s1-r-grpc", "s1-c1", null, 7m, "EUR");
        await CostRows.InsertAsync(database, report.ExactThrough!.Value.AddMilliseconds(1), "s1-p2", "s1-r-http", "s1-c2", 5m, null);

        var now = DateTimeOffset.UtcNow.AddMinutes(1);
        var periods = new (DateTimeOffset From, DateTimeOffset To)[]
        {
            (start, now), // whole days, hours and the part after the refresh
            (start.AddMinutes(30), start.AddDays(3).AddMinutes(-15)), // parts of hours at both ends
            (start.AddHours(1), start.AddHours(2)), // one hour, starting on a row
            (start.AddHours(1) - TimeSpan.FromTicks(10), start.AddHours(1)), // one microsecond
            (start.AddDays(1), start.AddDays(2)), // one day, edges exact
            (start.AddDays(-30), start.AddDays(40)), // beyond both ends
        };
        foreach (var (from, to) in periods)
        {
            await AssertEqualsDirectAsync(from, to);
            await AssertEqualsDirectAsync(from, to, "s1-p1");
        }

        var whole = await Summaries.SummarizeAsync(new CostSummaryQuery { By = CostGrouping.Protocol, From = start.AddMinutes(30), To = now });
        Assert.Contains(whole.Sources, s => s.Origin == CostSummaryOrigin.DailyRollup);
        Assert.Contains(whole.Sources, s => s.Origin == CostSummaryOrigin.HourlyRollup);
        Assert.Equal(CostSummaryOrigin.CostRows, whole.Sources[0].Origin);
        Assert.Equal(CostSummaryOrigin.CostRows, whole.Sources[^1].Origin);
        Assert.True(whole.InvocationsFromRollups > 0);
        Assert.Equal(report.ExactThrough, whole.RollupsExactThrough);
        Assert.Contains(whole.Groups, g => g.Key == "unknown");
        Assert.Equal(whole.Groups.Select(g => g.Currency).Order(StringComparer.Ordinal), whole.Groups.Select(g => g.Currency));
    }

    [Fact]
    public async Task Before_the_first_refresh_everything_comes_from_cost_rows_and_still_matches()
    {
        await using var fresh = await TestDatabase.CreateMigratedAsync();
        var start = CostRows.Today.AddDays(-2);
        await CostRows.InsertAsync(fresh, start.AddHours(2), "p", "r", "c", 1m, null);
        var summary = await new CostSummaries(fresh.DataSource).SummarizeAsync(new CostSummaryQuery { From = start, To = start.AddDays(1) });
        Assert.Null(summary.RollupsExactThrough);
        Assert.Equal([new CostSummarySource(start, start.AddDays(1), CostSummaryOrigin.CostRows)], summary.Sources);
        Assert.Equal(await CostRows.DirectAsync(fresh, CostGrouping.Principal, start, start.AddDays(1)), summary.Groups);
        Assert.Equal(0, summary.InvocationsFromRollups);
    }

    [Fact]
    public async Task A_period_of_whole_days_reads_the_daily_rollup_and_amounts_stay_per_currency()
    {
        var start = CostRows.Today.AddDays(-10);
        await CostRows.InsertAsync(database, start.AddHours(1), "s3-p", "s3-r", "s3-c", 2m, null, "USD");
        await CostRows.InsertAsync(database, start.AddHours(2), "s3-p", "s3-r", "s3-c", 3m, null, "EUR");
        await new CostRollups(database.DataSource).RefreshAsync(new CostRollupOptions { RecomputeFrom = start });
        var summary = await Summaries.SummarizeAsync(new CostSummaryQuery { From = start, To = start.AddDays(2), Principal = "s3-p" });
        Assert.Equal([new CostSummarySource(start, start.AddDays(2), CostSummaryOrigin.DailyRollup)], summary.Sources);
        Assert.Equal(
            [new CostSummaryGroup("s3-p", "EUR", 1, 1, 3m, 3m, 3m), new CostSummaryGroup("s3-p", "USD", 1, 1, 2m, 2m, 2m)],
            summary.Groups);
        Assert.Equal(2, summary.InvocationsFromRollups);
        Assert.Equal(0, summary.InvocationsFromCostRows);
    }
}
