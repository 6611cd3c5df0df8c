using System.Diagnostics;
using Sark.Data.Costs;
using Sark.Data.Errors;
using Sark.Testing;
using Xunit.Abstractions;
using static Sark.Data.Tests.Costs.CostTestData;

namespace Sark.Data.Tests.Costs;

/// <summary>Bulk ingestion by binary COPY: exact totals, windows, all or nothing.</summary>
public sealed class IngestionTests(MigratedDatabase fixture, ITestOutputHelper output) : IClassFixture<MigratedDatabase>
{
    private static readonly DateTimeOffset Now = new(2031, 8, 15, 12, 0, 0, TimeSpan.Zero);

    private CostLedger Ledger => new(fixture.Database.DataSource);

    private static CostRecord Row(string principal, decimal actual, DateTimeOffset at, string currency = "USD") => new()
    {
        Timestamp = at, Principal = principal, Resource = "r", Capability = "c", ActualCost = actual, Currency = currency,
    };

    [Fact]
    public async Task Totals_are_exact_and_only_rows_in_the_current_windows_count()
    {
        await Ledger.SetBudgetAsync("ingest-a", new BudgetChange { Daily = BudgetLimit.Of(5m) });
        await Ledger.ChargeAtAsync(Charge("ingest-a", 1m), Now, CancellationToken.None);
        var rows = new List<CostRecord>();
        for (var i = 0; i < 1000; i++)
        {
            rows.Add(Row("ingest-a", 0.001m, Now.AddMinutes(-i % 600)));         // today
            rows.Add(Row("ingest-a", 0.010m, Now.AddDays(-3)));                   // this month, not today
            rows.Add(Row("ingest-a", 1.000m, Now.AddMonths(-2)));                 // history
            rows.Add(Row("ingest-b", 0.002m, Now.AddHours(-1)) with { EstimatedCost = 0.5m });
        }

        var result = await Ledger.IngestAtAsync(rows, Now, CancellationToken.None);

        Assert.Equal((4000L, 2), (result.Rows, result.Principals));
        Assert.Empty(result.OverLimit);
        var a = (await Ledger.GetBudgetStatusAtAsync("ingest-a", Now, CancellationToken.None))!;
        Assert.Equal((2m, 12m), (a.Daily.Spent, a.Monthly.Spent));
        var b = (await Ledger.GetBudgetStatusAtAsync("ingest-b", Now, CancellationToken.None))!;
        Assert.Equal((2m, 2m, "USD"), (b.Daily.Spent, b.Monthly.Spent, b.Currency));
        Assert.Equal(3001, await CostRowsAsync(fixture.Database, "ingest-a"));
        Assert.Equal(1011m + 1m, await CostSumAsync(fixture.Database, "ingest-a"));
    }

    [Fact]
    public async Task Ingestion_never_denies_and_reports_who_is_now_past_a_limit()
    {
        await Ledger.SetBudgetAsync("ingest-over", new BudgetChange { Daily = BudgetLimit.Of(1m) });

        var result = await Ledger.IngestAtAsync([Row("ingest-over", 0.75m, Now), Row("ingest-over", 0.75m, Now)], Now, CancellationToken.None);

        Assert.Equal(new BudgetOverLimit("ingest-over", BudgetWindowKind.Daily, 1m, 1.5m, "USD"), Assert.Single(result.OverLimit));
        Assert.Equal(2, await CostRowsAsync(fixture.Database, "ingest-over"));
    }

    [Fact]
    public async Task A_row_in_another_currency_fails_the_whole_batch_naming_it()
    {
        await Ledger.SetBudgetAsync("ingest-eur", new BudgetChange { Currency = "EUR" });
        CostRecord[] rows = [Row("ingest-fine", 1m, Now), Row("ingest-eur", 1m, Now, "EUR"), Row("ingest-eur", 2m, Now, "USD")];

        var error = await Assert.ThrowsAsync<UsageException>(() => Ledger.IngestAtAsync(rows, Now, CancellationToken.None));

        Assert.Equal("cost row 3 of principal 'ingest-eur' is in USD, but the principal's budget is in EUR; nothing was ingested (convert the row, or ingest it for a budget in USD)", error.Message);
        Assert.Equal(0, await CostRowsAsync(fixture.Database, "ingest-fine"));
        Assert.Null(await Ledger.GetBudgetStatusAsync("ingest-fine"));
        Assert.Equal(0m, (await Ledger.GetBudgetStatusAsync("ingest-eur"))!.Monthly.Spent);
    }

    [Fact]
    public async Task A_bad_row_stops_the_copy_and_nothing_is_written()
    {
        var rows = Enumerable.Range(0, 5000).Select(i => i == 4321 ? Row("ingest-bad", -1m, Now) : Row("ingest-bad", 1m, Now));

        var error = await Assert.ThrowsAsync<UsageException>(() => Ledger.IngestAtAsync(rows, Now, CancellationToken.None));

        Assert.Equal("cost row 4322: actual cost -1.00 is negative; expected an amount of 0 or more; nothing was ingested", error.Message);
        Assert.Equal(0, await CostRowsAsync(fixture.Database, "ingest-bad"));
    }

    [Fact]
    public async Task Two_hundred_thousand_rows_are_ingested_at_a_measured_rate()
    {
        const int count = 200_000;
        var start = Now.AddDays(-12);
        var rows = Enumerable.Range(0, count).Select(i => new CostRecord
        {
            Timestamp = start.AddSeconds(i * 5),
            Principal = $"bulk-{i % 50}",
            Resource = $"res-{i % 200}",
            Capability = "invoke",
            EstimatedCost = 0.0012m,
            ActualCost = 0.0013m,
            Metadata = """{"model": "bulk"}""",
        });

        var clock = Stopwatch.StartNew();
        var result = await Ledger.IngestAtAsync(rows, Now, CancellationToken.None);
        clock.Stop();

        output.WriteLine($"ingested {count:N0} rows in {clock.ElapsedMilliseconds} ms: {count / clock.Elapsed.TotalSeconds:N0} rows/s");
        Assert.Equal((count, 50), (result.Rows, result.Principals));
        Assert.Equal(count * 0.0013m, await fixture.Database.ScalarAsync<decimal>("SELECT sum(actual_cost) FROM cost_tracking WHERE principal_id LIKE 'bulk-%'"));
        Assert.Equal(count * 0.0013m, await fixture.Database.ScalarAsync<decimal>("SELECT sum(monthly_spent) FROM principal_budgets WHERE principal_id LIKE 'bulk-%'"));
    }
}
