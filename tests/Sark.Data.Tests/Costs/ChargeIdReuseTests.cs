using Sark.Data.Costs;
using Sark.Data.Errors;
using Sark.Testing;
using static Sark.Data.Tests.Costs.CostTestData;

namespace Sark.Data.Tests.Costs;

/// <summary>
/// A charge or reservation id is an idempotency key for one request: the same request again is a
/// retry (the first outcome, nothing more charged); the id with any other principal, resource,
/// capability, amount or currency is refused, naming the id, and writes nothing, even when the two
/// requests race.
/// </summary>
public sealed class ChargeIdReuseTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private CostLedger Ledger => new(fixture.Database.DataSource);

    private Task<long> LedgerRowsAsync(string chargeId) =>
        fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM cost_charges WHERE charge_id = '{chargeId}'");

    [Theory]
    [InlineData("principal")]
    [InlineData("resource")]
    [InlineData("capability")]
    [InlineData("estimated cost")]
    [InlineData("actual cost")]
    [InlineData("currency")]
    public async Task A_charge_id_reused_with_any_other_field_is_refused_and_writes_nothing(string field)
    {
        var id = $"reuse-{field.Replace(' ', '-')}";
        var owner = $"owner-{field.Replace(' ', '-')}";
        var first = await Ledger.ChargeAsync(Charge(owner, 1m, id));
        var other = field switch
        {
            "principal" => Charge($"{owner}-other", 1m, id),
            "resource" => Charge(owner, 1m, id) with { Resource = "res-2" },
            "capability" => Charge(owner, 1m, id) with { Capability = "cap-2" },
            "estimated cost" => Charge(owner, 1m, id) with { EstimatedCost = 1m },
            "actual cost" => Charge(owner, 1.5m, id),
            _ => Charge(owner, 1m, id, currency: "EUR"),
        };

        var error = await Assert.ThrowsAsync<IdReusedException>(() => Ledger.ChargeAsync(other));

        Assert.Equal((SarkErrorKind.Conflict, ReusedIdKind.Charge, id), (error.Kind, error.IdKind, error.Id));
        Assert.StartsWith($"charge id '{id}' was already used for another charge (principal '{owner}', resource 'res-1', capability 'cap-1', ", error.Message);
        Assert.EndsWith($"; this one differs in {field}; use a new id for a new charge", error.Message);
        Assert.Equal(1, await CostRowsAsync(fixture.Database, owner));
        Assert.Equal(0, await CostRowsAsync(fixture.Database, $"{owner}-other"));
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM principal_budgets WHERE principal_id = '{owner}-other'"));
        Assert.Equal(1L, await LedgerRowsAsync(id));
        Assert.Equal(1m, (await Ledger.GetBudgetStatusAsync(owner))!.Daily.Spent);

        // The true retry still gets the first outcome.
        var retry = await Ledger.ChargeAsync(Charge(owner, 1m, id));
        Assert.True(retry.Replayed);
        Assert.Equal((first.CostId, first.CostTimestamp), (retry.CostId, retry.CostTimestamp));
    }

    [Fact]
    public async Task The_refusal_names_the_id_what_it_was_used_for_and_every_field_that_differs()
    {
        await Ledger.ChargeAsync(Charge("namer", 0.25m, "named-id") with { EstimatedCost = 0.3m });

        var error = await Assert.ThrowsAsync<IdReusedException>(() => Ledger.ChargeAsync(Charge("namer", 0.5m, "named-id") with { Resource = "res-9" }));

        Assert.Equal(
            "charge id 'named-id' was already used for another charge (principal 'namer', resource 'res-1', capability 'cap-1', estimated 0.30, actual 0.25 USD); this one differs in resource, estimated cost, actual cost; use a new id for a new charge",
            error.Message);
    }

    [Fact]
    public async Task A_denied_charge_id_reused_for_another_resource_is_refused_not_replayed_as_denied()
    {
        await Ledger.SetBudgetAsync("denied-reuse", new BudgetChange { Daily = BudgetLimit.Of(1m) });
        Assert.False((await Ledger.ChargeAsync(Charge("denied-reuse", 2m, "denied-id"))).IsCharged);

        var error = await Assert.ThrowsAsync<IdReusedException>(() => Ledger.ChargeAsync(Charge("denied-reuse", 2m, "denied-id") with { Capability = "cap-2" }));

        Assert.EndsWith("this one differs in capability; use a new id for a new charge", error.Message);
        Assert.True((await Ledger.ChargeAsync(Charge("denied-reuse", 2m, "denied-id"))).Replayed);
        Assert.Equal(1, await DenialEventsAsync(fixture.Database, "denied-reuse"));
    }

    [Fact]
    public async Task A_charge_recorded_before_016_is_compared_with_the_resource_and_capability_of_its_cost_row()
    {
        await Ledger.ChargeAsync(Charge("legacy", 1m, "legacy-id"));
        await fixture.Database.ExecuteAsync("UPDATE cost_charges SET resource_id = NULL, capability_id = NULL WHERE charge_id = 'legacy-id'");

        var error = await Assert.ThrowsAsync<IdReusedException>(() => Ledger.ChargeAsync(Charge("legacy", 1m, "legacy-id") with { Resource = "res-2" }));

        Assert.Contains("resource 'res-1', capability 'cap-1'", error.Message);
        Assert.True((await Ledger.ChargeAsync(Charge("legacy", 1m, "legacy-id"))).Replayed);
        Assert.Equal(1, await CostRowsAsync(fixture.Database, "legacy"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Racing_requests_with_one_id_charge_once_and_every_other_request_is_refused(bool oneLedger)
    {
        // 32 requests with one id: 16 retries of one charge and 16 of another (another amount for
        // half of them, another principal for the other half). Whichever wins, its retries replay
        // it and every request of the others is refused.
        var id = oneLedger ? "race-id-shared" : "race-id";
        var principal = oneLedger ? "shared-racer" : "racer";
        var shared = Ledger;
        ChargeRequest Request(int i) => (i % 4) switch
        {
            0 or 1 => Charge(principal, 1m, id),
            2 => Charge(principal, 2m, id),
            _ => Charge($"{principal}-b", 1m, id),
        };

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
        {
            try
            {
                var result = await (oneLedger ? shared : Ledger).ChargeAsync(Request(i));
                return (i, Charged: result.IsCharged, Error: (IdReusedException?)null);
            }
            catch (IdReusedException ex)
            {
                return (i, Charged: false, Error: ex);
            }
        })));

        var charged = outcomes.Where(o => o.Charged).ToList();
        Assert.NotEmpty(charged);
        var winner = Request(charged[0].i);
        Assert.All(outcomes, o => Assert.Equal(Request(o.i) == winner, o.Charged));
        Assert.All(outcomes.Where(o => !o.Charged), o => Assert.Equal((id, ReusedIdKind.Charge), (o.Error!.Id, o.Error.IdKind)));
        Assert.Equal(1L, await LedgerRowsAsync(id));
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM cost_tracking WHERE principal_id IN ('{principal}', '{principal}-b')"));
    }

    [Fact]
    public async Task A_reservation_id_reused_for_another_resource_is_refused_naming_it_and_a_retry_replays()
    {
        var first = await Ledger.ReserveAsync(Hold("hold-reuser", 1m, "hold-id"));

        var error = await Assert.ThrowsAsync<IdReusedException>(() => Ledger.ReserveAsync(Hold("hold-reuser", 1m, "hold-id") with { Resource = "res-2" }));
        var principal = await Assert.ThrowsAsync<IdReusedException>(() => Ledger.ReserveAsync(Hold("hold-other", 1m, "hold-id")));

        Assert.Equal((SarkErrorKind.Conflict, ReusedIdKind.Reservation, "hold-id"), (error.Kind, error.IdKind, error.Id));
        Assert.Equal(
            "reservation id 'hold-id' was already used for another hold (principal 'hold-reuser', resource 'res-1', capability 'cap-1', estimate 1.00 USD); this one differs in resource; use a new id for a new reservation",
            error.Message);
        Assert.EndsWith("this one differs in principal; use a new id for a new reservation", principal.Message);
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM budget_reservations WHERE reservation_id = 'hold-id'"));
        var retry = await Ledger.ReserveAsync(Hold("hold-reuser", 1m, "hold-id"));
        Assert.True(retry.Replayed);
        Assert.Equal(first.ExpiresAt, retry.ExpiresAt);
    }
}
