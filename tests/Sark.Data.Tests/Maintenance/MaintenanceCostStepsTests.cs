namespace Sark.Data.Tests.Maintenance;

/// <summary>
/// The standard job's cost steps against a real PostgreSQL: holds past their expiry are marked
/// expired, and the cost rollups are recomputed with the daily summary view, each reported once;
/// a second run finds no hold to expire.
/// </summary>
public sealed class MaintenanceCostStepsTests : MaintenanceTestDatabase
{
    [Fact]
    public async Task A_run_expires_stale_holds_and_rolls_the_costs_up()
    {
        var now = DateTimeOffset.UtcNow;
        await InsertCostAsync(now.AddHours(-2), count: 3);
        await Database.ExecuteAsync("""
            INSERT INTO budget_reservations (reservation_id, principal_id, resource_id, capability_id, estimate, currency, state, expires_at)
            VALUES ('stale', 'maint-principal', 'maint-resource', 'maint-capability', 1.5, 'USD', 'pending', now() - interval '1 minute'),
                   ('live', 'maint-principal', 'maint-resource', 'maint-capability', 2.5, 'USD', 'pending', now() + interval '1 hour')
            """);

        var report = await Job().RunAsync();

        Assert.False(report.HasFailures, string.Join('\n', report.Actions));
        var expired = Assert.Single(report.Actions, a => a.Step == "reservations");
        Assert.Equal(("rows_updated", 1L), (expired.Kind, expired.Rows!.Value));
        Assert.Equal("pending|expired", await Database.ScalarAsync<string>(
            "SELECT string_agg(state, '|' ORDER BY reservation_id) FROM budget_reservations"));
        var rollup = Assert.Single(report.Actions, a => a.Step == "rollups");
        Assert.Equal("rollups_refreshed", rollup.Kind);
        Assert.Contains("mv_daily_cost_summary refreshed", rollup.Message);
        Assert.Equal(3L, await Database.ScalarAsync<long>("SELECT sum(invocation_count)::bigint FROM cost_rollup_daily"));
        Assert.Equal(1.5m, await Database.ScalarAsync<decimal>("SELECT sum(total_cost) FROM mv_daily_cost_summary"));

        var second = await Job().RunAsync();

        Assert.DoesNotContain(second.Actions, a => a.Step == "reservations");
        Assert.Equal(3L, await Database.ScalarAsync<long>("SELECT sum(invocation_count)::bigint FROM cost_rollup_daily"));
    }
}
