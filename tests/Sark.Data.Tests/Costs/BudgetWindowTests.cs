using Sark.Data.Costs;
using Sark.Testing;
using static Sark.Data.Tests.Costs.CostTestData;

namespace Sark.Data.Tests.Costs;

/// <summary>
/// Daily and monthly windows roll lazily at calendar boundaries in the budget's zone. The instant
/// is passed explicitly through the same SQL path the database clock drives in production.
/// </summary>
public sealed class BudgetWindowTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private CostLedger Ledger => new(fixture.Database.DataSource);

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute = 0) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    private async Task<ChargeResult> ChargeAtAsync(string principal, decimal amount, DateTimeOffset at) =>
        await Ledger.ChargeAtAsync(Charge(principal, amount), at, CancellationToken.None);

    private async Task<(decimal Daily, decimal Monthly)> SpentAtAsync(string principal, DateTimeOffset at)
    {
        var status = (await Ledger.GetBudgetStatusAtAsync(principal, at, CancellationToken.None))!;
        return (status.Daily.Spent, status.Monthly.Spent);
    }

    [Fact]
    public async Task In_UTC_the_day_rolls_at_midnight_the_month_on_the_first_and_both_at_new_year()
    {
        await Ledger.SetBudgetAsync("utc-p", new BudgetChange { Daily = BudgetLimit.Of(10m), Monthly = BudgetLimit.Of(25m) });

        Assert.Equal(4m, (await ChargeAtAsync("utc-p", 4m, Utc(2031, 11, 30, 23, 59))).DailySpent);
        var nextDay = await ChargeAtAsync("utc-p", 3m, Utc(2031, 12, 1, 0, 0));
        Assert.Equal((3m, 3m), (nextDay.DailySpent, nextDay.MonthlySpent)); // a new day and a new month
        await ChargeAtAsync("utc-p", 9m, Utc(2031, 12, 2, 10));
        await ChargeAtAsync("utc-p", 9m, Utc(2031, 12, 3, 10));
        var overMonth = await ChargeAtAsync("utc-p", 5m, Utc(2031, 12, 31, 23, 59));
        Assert.Equal(BudgetWindowKind.Monthly, overMonth.Denial?.Limit);
        Assert.Equal((25m, 21m), (overMonth.Denial!.LimitAmount, overMonth.Denial.Spent));

        var newYear = await ChargeAtAsync("utc-p", 5m, Utc(2032, 1, 1, 0, 0));
        Assert.True(newYear.IsCharged);
        Assert.Equal((5m, 5m), (newYear.DailySpent, newYear.MonthlySpent));
        Assert.Equal((0m, 5m), await SpentAtAsync("utc-p", Utc(2032, 1, 2, 0, 0)));
        Assert.Equal((0m, 0m), await SpentAtAsync("utc-p", Utc(2032, 2, 1, 0, 0)));
    }

    [Fact]
    public async Task In_Paris_the_day_rolls_at_local_midnight_and_the_year_at_local_new_year()
    {
        await Ledger.SetBudgetAsync("paris-p", new BudgetChange { TimeZone = "Europe/Paris" });

        await ChargeAtAsync("paris-p", 2m, Utc(2031, 12, 31, 22, 30)); // 23:30 in Paris
        var localNewYear = await ChargeAtAsync("paris-p", 1m, Utc(2031, 12, 31, 23, 0)); // 00:00 on 1 January in Paris
        Assert.Equal((1m, 1m), (localNewYear.DailySpent, localNewYear.MonthlySpent));

        var status = (await Ledger.GetBudgetStatusAtAsync("paris-p", Utc(2032, 1, 1, 12), CancellationToken.None))!;
        Assert.Equal(Utc(2031, 12, 31, 23), status.Daily.Start);
        Assert.Equal(Utc(2032, 1, 1, 23), status.Daily.End);
        Assert.Equal(Utc(2031, 12, 31, 23), status.Monthly.Start);
        Assert.Equal(Utc(2032, 1, 31, 23), status.Monthly.End);
    }

    [Fact]
    public async Task Across_the_spring_DST_change_the_Paris_day_is_23_hours_long()
    {
        // 30 March 2031: Paris goes from UTC+1 to UTC+2 at 01:00 UTC. The day runs 23:00 to 22:00 UTC.
        await Ledger.SetBudgetAsync("dst-spring", new BudgetChange { TimeZone = "Europe/Paris", Daily = BudgetLimit.Of(5m) });

        await ChargeAtAsync("dst-spring", 3m, Utc(2031, 3, 29, 23, 0));
        var late = await ChargeAtAsync("dst-spring", 3m, Utc(2031, 3, 30, 21, 59));
        Assert.Equal(BudgetWindowKind.Daily, late.Denial?.Limit); // still 30 March in Paris
        var nextDay = await ChargeAtAsync("dst-spring", 3m, Utc(2031, 3, 30, 22, 0)); // 00:00 on 31 March, 23 h later
        Assert.True(nextDay.IsCharged);
        Assert.Equal(3m, nextDay.DailySpent);

        var status = (await Ledger.GetBudgetStatusAtAsync("dst-spring", Utc(2031, 3, 30, 12), CancellationToken.None))!;
        Assert.Equal(TimeSpan.FromHours(23), status.Daily.End - status.Daily.Start);
    }

    [Fact]
    public async Task Across_the_autumn_DST_change_the_New_York_day_is_25_hours_long_and_the_month_rolls_locally()
    {
        // 2 November 2031: New York goes from UTC-4 to UTC-5; the day runs 04:00 to 05:00 UTC next day.
        await Ledger.SetBudgetAsync("dst-autumn", new BudgetChange { TimeZone = "America/New_York", Monthly = BudgetLimit.Of(100m) });

        await ChargeAtAsync("dst-autumn", 7m, Utc(2031, 11, 1, 3, 59)); // 31 October, 23:59 local
        var november = await ChargeAtAsync("dst-autumn", 2m, Utc(2031, 11, 1, 4, 0)); // 1 November, 00:00 local
        Assert.Equal((2m, 2m), (november.DailySpent, november.MonthlySpent));

        await ChargeAtAsync("dst-autumn", 1m, Utc(2031, 11, 2, 4, 0));
        var sameDay = await ChargeAtAsync("dst-autumn", 1m, Utc(2031, 11, 3, 4, 59)); // 23:59 on 2 November, 25 h in
        Assert.Equal((2m, 4m), (sameDay.DailySpent, sameDay.MonthlySpent));
        var nextDay = await ChargeAtAsync("dst-autumn", 1m, Utc(2031, 11, 3, 5, 0));
        Assert.Equal(1m, nextDay.DailySpent);
    }

    [Fact]
    public async Task A_status_read_applies_the_roll_without_writing()
    {
        await ChargeAtAsync("reader", 4m, Utc(2031, 5, 10, 12));

        Assert.Equal((4m, 4m), await SpentAtAsync("reader", Utc(2031, 5, 10, 23, 59)));
        Assert.Equal((0m, 4m), await SpentAtAsync("reader", Utc(2031, 5, 11, 0)));
        Assert.Equal(4m, await fixture.Database.ScalarAsync<decimal>("SELECT daily_spent FROM principal_budgets WHERE principal_id = 'reader'"));
    }

    [Fact]
    public async Task The_database_clock_decides_the_window_of_the_public_methods()
    {
        var result = await Ledger.ChargeAsync(Charge("clocked", 1.5m));
        var now = await fixture.Database.ScalarAsync<DateTime>("SELECT now()");

        var status = (await Ledger.GetBudgetStatusAsync("clocked"))!;
        Assert.Equal(new DateTimeOffset(now.Date, TimeSpan.Zero), status.Daily.Start);
        Assert.Equal(1.5m, status.Daily.Spent);
        Assert.True(result.CostTimestamp <= new DateTimeOffset(DateTime.SpecifyKind(now, DateTimeKind.Utc)));
    }
}
