using Sark.Data.Costs;
using Sark.Testing;
using static Sark.Data.Tests.Costs.CostTestData;

namespace Sark.Data.Tests.Costs;

/// <summary>
/// Windows after a budget changes its time zone, and days whose local midnight a DST change skips.
/// Instants are passed explicitly through the same SQL path the database clock drives in production.
/// </summary>
public sealed class BudgetZoneTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private CostLedger Ledger => new(fixture.Database.DataSource);

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute = 0) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    private async Task<BudgetStatus> StatusAtAsync(string principal, DateTimeOffset at) =>
        (await Ledger.GetBudgetStatusAtAsync(principal, at, CancellationToken.None))!;

    // The local calendar day of an instant in an IANA zone, as UTC instants (the runtime's own zone data).
    private static (DateTimeOffset Start, DateTimeOffset End) LocalDay(string zone, DateTimeOffset at)
    {
        var info = TimeZoneInfo.FindSystemTimeZoneById(zone);
        var date = TimeZoneInfo.ConvertTime(at, info).Date;
        return (new DateTimeOffset(date, info.GetUtcOffset(date)).ToUniversalTime(), new DateTimeOffset(date.AddDays(1), info.GetUtcOffset(date.AddDays(1))).ToUniversalTime());
    }

    [Fact]
    public async Task After_a_change_of_zone_the_spend_carries_into_the_new_zones_day_which_then_rolls_at_its_own_midnight()
    {
        // The change itself is made now (the database clock); the charges and reads around it use
        // explicit instants relative to that clock.
        const string principal = "zone-mover";
        const string zone = "Pacific/Kiritimati"; // UTC+14: its days never line up with UTC's
        var now = new DateTimeOffset(DateTime.SpecifyKind(await fixture.Database.ScalarAsync<DateTime>("SELECT now()"), DateTimeKind.Utc));
        await Ledger.SetBudgetAsync(principal, new BudgetChange { Daily = BudgetLimit.Of(10m) });
        await Ledger.ChargeAtAsync(Charge(principal, 3m), now, CancellationToken.None);

        var moved = await Ledger.SetBudgetAsync(principal, new BudgetChange { TimeZone = zone });

        var (start, end) = LocalDay(zone, now);
        var after = await StatusAtAsync(principal, now);
        Assert.Equal((zone, start, end), (moved.TimeZone, after.Daily.Start, after.Daily.End));
        Assert.Equal(3m, after.Daily.Spent); // carried into the new zone's current day
        Assert.Equal(3m, (await StatusAtAsync(principal, end.AddTicks(-10))).Daily.Spent);
        Assert.Equal(0m, (await StatusAtAsync(principal, end)).Daily.Spent);

        var denied = await Ledger.ChargeAtAsync(Charge(principal, 8m), end.AddMinutes(-1), CancellationToken.None);
        Assert.Equal(BudgetWindowKind.Daily, denied.Denial?.Limit);
        var nextDay = await Ledger.ChargeAtAsync(Charge(principal, 8m), end, CancellationToken.None);
        Assert.True(nextDay.IsCharged);
        Assert.Equal(8m, nextDay.DailySpent);
        var status = await StatusAtAsync(principal, end.AddHours(1));
        Assert.Equal((end, LocalDay(zone, end).End), (status.Daily.Start, status.Daily.End));
    }

    [Fact]
    public async Task A_day_whose_midnight_DST_skips_ends_at_the_next_local_midnight_in_status_and_ingestion()
    {
        // 11 September 2022: Santiago went from UTC-4 to UTC-3 at local midnight, so the day began
        // at 01:00 local (04:00 UTC) and ended at midnight UTC-3 (03:00 UTC on the 12th), 23 hours.
        const string principal = "santiago";
        await Ledger.SetBudgetAsync(principal, new BudgetChange { TimeZone = "America/Santiago", Daily = BudgetLimit.Of(100m) });
        var at = Utc(2022, 9, 11, 12);

        var status = await StatusAtAsync(principal, at);
        Assert.Equal((Utc(2022, 9, 11, 4), Utc(2022, 9, 12, 3)), (status.Daily.Start, status.Daily.End));
        Assert.Equal((Utc(2022, 9, 1, 4), Utc(2022, 10, 1, 3)), (status.Monthly.Start, status.Monthly.End));

        CostRecord Row(decimal actual, DateTimeOffset timestamp) => new()
        {
            Timestamp = timestamp, Principal = principal, Resource = "r", Capability = "c", ActualCost = actual, Currency = "USD",
        };
        var result = await Ledger.IngestAtAsync(
            [Row(1m, Utc(2022, 9, 11, 5)), Row(2m, Utc(2022, 9, 12, 2, 45)), Row(4m, Utc(2022, 9, 12, 3, 30))], at, CancellationToken.None);

        Assert.Equal(3, result.Rows);
        var after = await StatusAtAsync(principal, at);
        Assert.Equal(3m, after.Daily.Spent); // 00:30 on the 12th (03:30 UTC) is the next day
        Assert.Equal(7m, after.Monthly.Spent);
    }
}
