using Sark.Data.Costs;
using Sark.Testing;
using static Sark.Data.Tests.Costs.CostTestData;

namespace Sark.Data.Tests.Costs;

/// <summary>
/// What the original lost (18 of 20 increments, 19 of 20 first charges): concurrent charges on
/// real PostgreSQL, each on its own connection, never pass a limit, lose an increment or a row,
/// and a retried charge id charges once.
/// </summary>
public sealed class ChargeConcurrencyTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    // A new ledger each time: each call is a host of its own.
    private CostLedger Ledger => new(fixture.Database.DataSource);

    // Separate ledgers are separate hosts: their charges meet only in the database, at the budget
    // row's lock. One shared ledger also sends the charges that queue up together as one transaction.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Sixty_four_connections_charging_a_limit_that_admits_N_charge_exactly_N(bool oneLedger)
    {
        const int admitted = 2500;
        const decimal cost = 0.013m;
        var busy = oneLedger ? "busy-shared" : "busy";
        var shared = Ledger;
        await Ledger.SetBudgetAsync(busy, new BudgetChange { Daily = BudgetLimit.Of(admitted * cost), Monthly = BudgetLimit.Of(1000m) });

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 64).Select(worker => Task.Run(async () =>
        {
            var ledger = oneLedger ? shared : new CostLedger(fixture.Database.DataSource);
            var charged = 0;
            for (var i = 0; i < 100; i++)
            {
                var result = await ledger.ChargeAsync(Charge(busy, cost, $"{busy}-{worker}-{i}"));
                charged += result.IsCharged ? 1 : 0;
            }

            return charged;
        })));

        Assert.Equal(admitted, outcomes.Sum());
        var status = (await Ledger.GetBudgetStatusAsync(busy))!;
        Assert.Equal(admitted * cost, status.Daily.Spent);
        Assert.Equal(admitted * cost, status.Monthly.Spent);
        Assert.Equal(0m, status.Daily.Remaining);
        Assert.Equal(admitted, await CostRowsAsync(fixture.Database, busy));
        Assert.Equal(admitted * cost, await CostSumAsync(fixture.Database, busy));
        Assert.Equal(6400 - admitted, await DenialEventsAsync(fixture.Database, busy));
        Assert.Equal(6400L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM cost_charges WHERE principal_id = '{busy}'"));
    }

    [Fact]
    public async Task First_ever_concurrent_charges_of_a_new_principal_are_all_recorded()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => Ledger.ChargeAsync(Charge("newcomer", 1.00m, $"new-{i}")))));

        Assert.All(results, r => Assert.True(r.IsCharged));
        Assert.Equal(20, results.Select(r => r.CostId).Distinct().Count());
        var status = (await Ledger.GetBudgetStatusAsync("newcomer"))!;
        Assert.Equal(20.00m, status.Daily.Spent);
        Assert.Equal(20.00m, status.Monthly.Spent);
        Assert.Null(status.Daily.Limit);
        Assert.Equal(("USD", "UTC"), (status.Currency, status.TimeZone));
        Assert.Equal(20, await CostRowsAsync(fixture.Database, "newcomer"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Thirty_two_concurrent_retries_of_one_charge_id_charge_once(bool oneLedger)
    {
        var retrier = oneLedger ? "retrier-shared" : "retrier";
        var shared = Ledger;
        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() =>
            (oneLedger ? shared : Ledger).ChargeAsync(Charge(retrier, 2.50m, $"{retrier}-charge")))));

        Assert.All(results, r => Assert.True(r.IsCharged));
        Assert.Single(results, r => !r.Replayed);
        Assert.Single(results.Select(r => (r.CostId, r.CostTimestamp)).Distinct());
        Assert.Equal(1, await CostRowsAsync(fixture.Database, retrier));
        Assert.Equal(2.50m, (await Ledger.GetBudgetStatusAsync(retrier))!.Daily.Spent);
    }

    [Fact]
    public async Task Thirty_two_concurrent_retries_of_a_denied_charge_are_denied_once_with_one_audit_event()
    {
        await Ledger.SetBudgetAsync("tight", new BudgetChange { Daily = BudgetLimit.Of(1m) });

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() => Ledger.ChargeAsync(Charge("tight", 2m, "too-big")))));

        Assert.All(results, r => Assert.Equal(BudgetWindowKind.Daily, r.Denial?.Limit));
        Assert.Single(results, r => !r.Replayed);
        Assert.Equal(1, await DenialEventsAsync(fixture.Database, "tight"));
        Assert.Equal(0, await CostRowsAsync(fixture.Database, "tight"));

        // Room made later does not turn the recorded denial into a charge.
        await Ledger.SetBudgetAsync("tight", new BudgetChange { Daily = BudgetLimit.None });
        var again = await Ledger.ChargeAsync(Charge("tight", 2m, "too-big"));
        Assert.False(again.IsCharged);
        Assert.True(again.Replayed);
    }

    [Fact]
    public async Task A_failing_charge_among_concurrent_charges_of_its_principal_fails_alone()
    {
        // Concurrent charges of one principal share a transaction; one that raises must not take
        // the others down with it, nor leave anything of itself behind.
        var ledger = Ledger;
        var calls = Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            try
            {
                return (await ledger.ChargeAsync(Charge("mixed", 0.5m, $"mixed-{i}", i == 17 ? "EUR" : "USD"))).IsCharged ? "charged" : "denied";
            }
            catch (Sark.Data.Errors.UsageException ex)
            {
                return ex.Message;
            }
        })).ToList();
        var outcomes = await Task.WhenAll(calls);

        Assert.Equal(39, outcomes.Count(o => o == "charged"));
        Assert.StartsWith("the budget of principal 'mixed' is in USD; a charge in EUR is refused", outcomes[17]);
        Assert.Equal(39, await CostRowsAsync(fixture.Database, "mixed"));
        Assert.Equal(19.5m, (await Ledger.GetBudgetStatusAsync("mixed"))!.Daily.Spent);
    }
}
