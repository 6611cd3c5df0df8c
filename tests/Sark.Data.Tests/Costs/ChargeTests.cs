using Microsoft.Extensions.DependencyInjection;
using Sark.Data.Costs;
using Sark.Data.Errors;
using Sark.Testing;
using static Sark.Data.Tests.Costs.CostTestData;

namespace Sark.Data.Tests.Costs;

public sealed class ChargeTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private CostLedger Ledger => new(fixture.Database.DataSource);

    [Fact]
    public async Task A_denial_writes_the_audit_event_and_no_cost_row_and_says_which_limit()
    {
        await Ledger.SetBudgetAsync("denied", new BudgetChange { Daily = BudgetLimit.Of(100m), Monthly = BudgetLimit.Of(1.5m) });
        await Ledger.ChargeAsync(Charge("denied", 1.25m));

        var result = await Ledger.ChargeAsync(Charge("denied", 0.5m, "over-month") with { EstimatedCost = 0.4m });

        Assert.False(result.IsCharged);
        Assert.Null(result.CostId);
        Assert.Equal(new BudgetDenial("denied", BudgetWindowKind.Monthly, 1.5m, 1.25m, 0m, 0.5m, "USD"), result.Denial);
        Assert.Equal(1, await CostRowsAsync(fixture.Database, "denied"));
        await using var connection = await fixture.Database.OpenAsync();
        await using var read = new Npgsql.NpgsqlCommand(
            "SELECT user_email, capability_id, estimated_cost, actual_cost, details ->> 'limit', (details ->> 'limit_amount')::numeric, (details ->> 'spent')::numeric, details ->> 'currency', details ->> 'charge_id' FROM audit_events WHERE event_type = 'cost_limit_exceeded' AND user_email = 'denied'",
            connection);
        await using var reader = await read.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(("denied", "cap-1", 0.4m, 0.5m), (reader.GetString(0), reader.GetString(1), reader.GetDecimal(2), reader.GetDecimal(3)));
        Assert.Equal(("monthly", 1.5m, 1.25m, "USD", "over-month"), (reader.GetString(4), reader.GetDecimal(5), reader.GetDecimal(6), reader.GetString(7), reader.GetString(8)));
        Assert.False(await reader.ReadAsync());

        var error = Assert.Throws<BudgetExceededException>(() => result.ThrowIfDenied());
        Assert.Equal("charge 'over-month' of 0.50 USD denied: principal 'denied' would pass its monthly limit of 1.50 USD (spent 1.25, reserved 0.00, remaining 0.25)", error.Message);
    }

    [Fact]
    public async Task A_charge_id_reused_with_other_content_is_a_conflict()
    {
        await Ledger.ChargeAsync(Charge("first", 1m, "shared-id"));

        var amount = await Assert.ThrowsAsync<IdReusedException>(() => Ledger.ChargeAsync(Charge("first", 2m, "shared-id")));
        var principal = await Assert.ThrowsAsync<IdReusedException>(() => Ledger.ChargeAsync(Charge("second", 1m, "shared-id")));

        Assert.Equal(SarkErrorKind.Conflict, amount.Kind);
        Assert.Equal("charge id 'shared-id' was already used for another charge (principal 'first', resource 'res-1', capability 'cap-1', estimated none, actual 1.00 USD); this one differs in actual cost; use a new id for a new charge", amount.Message);
        Assert.Equal(SarkErrorKind.Conflict, principal.Kind);
        Assert.Equal(1, await CostRowsAsync(fixture.Database, "first"));
        Assert.Equal(0, await CostRowsAsync(fixture.Database, "second"));
    }

    [Fact]
    public async Task A_charge_in_another_currency_than_the_budget_is_refused_as_usage()
    {
        await Ledger.SetBudgetAsync("euro", new BudgetChange { Currency = "EUR" });

        var error = await Assert.ThrowsAsync<UsageException>(() => Ledger.ChargeAsync(Charge("euro", 1m)));

        Assert.Equal("the budget of principal 'euro' is in EUR; a charge in USD is refused (charge in EUR, or change the budget's currency while nothing is spent)", error.Message);
        Assert.True((await Ledger.ChargeAsync(Charge("euro", 1m, currency: "EUR"))).IsCharged);
        var change = await Assert.ThrowsAsync<SarkException>(() => Ledger.SetBudgetAsync("euro", new BudgetChange { Currency = "USD" }));
        Assert.Equal(SarkErrorKind.Conflict, change.Kind);
        Assert.Contains("its currency cannot change to USD until the month is over", change.Message);
    }

    [Fact]
    public async Task Setting_a_budget_keeps_what_it_does_not_name_and_checks_the_zone_in_the_database()
    {
        var created = await Ledger.SetBudgetAsync("setter", new BudgetChange { Daily = BudgetLimit.Of(5m), TimeZone = "Asia/Tokyo" });
        var changed = await Ledger.SetBudgetAsync("setter", new BudgetChange { Monthly = BudgetLimit.Of(50m) });
        var cleared = await Ledger.SetBudgetAsync("setter", new BudgetChange { Daily = BudgetLimit.None });

        Assert.Equal((5m, (decimal?)null, "Asia/Tokyo", "USD"), (created.Daily.Limit, created.Monthly.Limit, created.TimeZone, created.Currency));
        Assert.Equal((5m, 50m), (changed.Daily.Limit, changed.Monthly.Limit));
        Assert.Equal(((decimal?)null, 50m), (cleared.Daily.Limit, cleared.Monthly.Limit));
        var zone = await Assert.ThrowsAsync<UsageException>(() => Ledger.SetBudgetAsync("setter", new BudgetChange { TimeZone = "Mars/Olympus" }));
        Assert.Equal("time zone 'Mars/Olympus' is not known to the database; expected an IANA name such as UTC or Europe/Paris", zone.Message);
        Assert.Null(await Ledger.GetBudgetStatusAsync("nobody-here"));
    }

    [Fact]
    public async Task Status_reports_spent_reserved_remaining_and_percent()
    {
        await Ledger.SetBudgetAsync("status", new BudgetChange { Daily = BudgetLimit.Of(8m), Monthly = BudgetLimit.Of(0m) });
        await Ledger.SetBudgetAsync("status", new BudgetChange { Monthly = BudgetLimit.None });
        await Ledger.ChargeAsync(Charge("status", 2m));
        await Ledger.ReserveAsync(Hold("status", 1m));

        var status = (await Ledger.GetBudgetStatusAsync("status"))!;

        Assert.Equal((2m, 1m, 5m, 25.00m), (status.Daily.Spent, status.Daily.Reserved, status.Daily.Remaining!.Value, status.Daily.Percent!.Value));
        Assert.Null(status.Monthly.Remaining);
        Assert.Null(status.Monthly.Percent);
    }

    [Fact]
    public async Task Budgets_are_listed_by_principal_with_keyset_pages()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var ledger = new CostLedger(database.DataSource);
        foreach (var name in new[] { "p-c", "p-a", "p-e", "p-b", "p-d" })
        {
            await ledger.SetBudgetAsync(name, new BudgetChange { Daily = BudgetLimit.Of(1m) });
        }

        var first = await ledger.ListBudgetsAsync(limit: 2);
        var second = await ledger.ListBudgetsAsync(limit: 2, cursor: first.NextCursor);
        var last = await ledger.ListBudgetsAsync(limit: 2, cursor: second.NextCursor);

        Assert.Equal(["p-a", "p-b", "p-c", "p-d", "p-e"], first.Items.Concat(second.Items).Concat(last.Items).Select(b => b.Principal));
        Assert.Null(last.NextCursor);
        await Assert.ThrowsAsync<UsageException>(() => ledger.ListBudgetsAsync(cursor: "garbage"));
    }

    [Fact]
    public async Task AddSark_registers_the_ledger()
    {
        using var services = new ServiceCollection()
            .AddSark(o => o.ConnectionString = fixture.Database.ConnectionString)
            .BuildServiceProvider();

        var ledger = services.GetRequiredService<CostLedger>();

        Assert.True((await ledger.ChargeAsync(Charge("hosted", 0.000001m))).IsCharged);
    }
}
