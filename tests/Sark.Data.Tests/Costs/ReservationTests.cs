using Sark.Data.Costs;
using Sark.Data.Errors;
using Sark.Testing;
using static Sark.Data.Tests.Costs.CostTestData;

namespace Sark.Data.Tests.Costs;

/// <summary>Holds: reserve, settle, release, expire, and the races between them.</summary>
public sealed class ReservationTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private static readonly DateTimeOffset Noon = new(2031, 6, 10, 12, 0, 0, TimeSpan.Zero);

    private CostLedger Ledger => new(fixture.Database.DataSource);

    private async Task BudgetAsync(string principal, decimal daily) =>
        await Ledger.SetBudgetAsync(principal, new BudgetChange { Daily = BudgetLimit.Of(daily) });

    [Fact]
    public async Task A_hold_counts_against_the_limit_and_settling_charges_the_actual_cost()
    {
        await BudgetAsync("holder", 10m);
        var hold = await Ledger.ReserveAtAsync(Hold("holder", 6m, "h-1"), Noon, CancellationToken.None);
        Assert.Equal((ReservationState.Pending, 6m), (hold.State, hold.Reserved));

        var charge = await Ledger.ChargeAtAsync(Charge("holder", 5m), Noon, CancellationToken.None);
        Assert.Equal((BudgetWindowKind.Daily, 0m, 6m), (charge.Denial!.Limit, charge.Denial.Spent, charge.Denial.Reserved));
        Assert.Contains("spent 0.00, reserved 6.00, remaining 4.00", charge.Denial.Describe("charge"));

        var settled = await Ledger.FinishAsync("h-1", settle: true, 4.5m, """{"tokens": 10}""", Noon.AddMinutes(1), CancellationToken.None);
        Assert.Equal((4.5m, 0m, 4.5m), (settled.Actual, settled.Overrun, settled.DailySpent));
        Assert.Null(settled.OverLimit);
        Assert.Equal(1, await CostRowsAsync(fixture.Database, "holder"));
        Assert.Equal("10", await fixture.Database.ScalarAsync<string>("SELECT metadata ->> 'tokens' FROM cost_tracking WHERE principal_id = 'holder'"));
        Assert.True((await Ledger.ChargeAtAsync(Charge("holder", 5.5m), Noon.AddMinutes(2), CancellationToken.None)).IsCharged);
    }

    [Fact]
    public async Task An_actual_cost_above_the_estimate_is_recorded_past_the_limit_as_an_overrun()
    {
        await BudgetAsync("overrunner", 10m);
        await Ledger.ReserveAtAsync(Hold("overrunner", 8m, "h-over"), Noon, CancellationToken.None);

        var settled = await Ledger.FinishAsync("h-over", settle: true, 12m, null, Noon.AddMinutes(1), CancellationToken.None);

        Assert.Equal((4m, BudgetWindowKind.Daily, 12m), (settled.Overrun, settled.OverLimit, settled.DailySpent));
        Assert.Equal(12m, await CostSumAsync(fixture.Database, "overrunner"));
    }

    [Fact]
    public async Task A_hold_that_does_not_fit_is_denied_with_an_audit_event_and_its_retry_returns_the_denial()
    {
        await BudgetAsync("denied-holder", 1m);

        var denied = await Ledger.ReserveAtAsync(Hold("denied-holder", 2m, "h-denied"), Noon, CancellationToken.None);
        var retried = await Ledger.ReserveAtAsync(Hold("denied-holder", 2m, "h-denied"), Noon, CancellationToken.None);

        Assert.Equal((ReservationState.Denied, false), (denied.State, denied.Replayed));
        Assert.Equal((ReservationState.Denied, true, 1m), (retried.State, retried.Replayed, retried.Denial!.LimitAmount));
        Assert.Equal(1, await DenialEventsAsync(fixture.Database, "denied-holder"));
        var error = Assert.Throws<BudgetExceededException>(() => denied.ThrowIfDenied());
        Assert.Equal(SarkErrorKind.LimitExceeded, error.Kind);
        Assert.Equal("reservation 'h-denied' of 2.00 USD denied: principal 'denied-holder' would pass its daily limit of 1.00 USD (spent 0.00, reserved 0.00, remaining 1.00)", error.Message);
        var settle = await Assert.ThrowsAsync<SarkException>(() => Ledger.SettleAsync("h-denied", 1m));
        Assert.Equal(SarkErrorKind.Conflict, settle.Kind);
    }

    [Fact]
    public async Task Release_frees_the_hold_and_a_hold_ends_once()
    {
        await BudgetAsync("releaser", 10m);
        await Ledger.ReserveAsync(Hold("releaser", 9m, "h-rel"));

        var released = await Ledger.ReleaseAsync("h-rel");
        Assert.Equal((ReservationState.Released, 0m), (released.State, released.Overrun));
        Assert.True((await Ledger.ChargeAsync(Charge("releaser", 9m))).IsCharged);

        var again = await Assert.ThrowsAsync<SarkException>(() => Ledger.ReleaseAsync("h-rel"));
        Assert.Equal(SarkErrorKind.Conflict, again.Kind);
        Assert.StartsWith("reservation 'h-rel' was already released at ", again.Message);
        Assert.Equal(0, await CostRowsAsync(fixture.Database, "releaser") - 1);
    }

    [Fact]
    public async Task A_second_settle_is_refused_and_charges_nothing()
    {
        await Ledger.ReserveAsync(Hold("settler", 3m, "h-twice"));
        await Ledger.SettleAsync("h-twice", 2m);

        var error = await Assert.ThrowsAsync<SarkException>(() => Ledger.SettleAsync("h-twice", 2m));

        Assert.Equal(SarkErrorKind.Conflict, error.Kind);
        Assert.Matches(@"^reservation 'h-twice' was already settled at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(actual 2.00 USD\); a hold is settled or released once$", error.Message);
        Assert.Equal(1, await CostRowsAsync(fixture.Database, "settler"));
        Assert.Equal(2m, (await Ledger.GetBudgetStatusAsync("settler"))!.Daily.Spent);
    }

    [Fact]
    public async Task An_expired_hold_stops_counting_at_once_and_cannot_be_settled_or_released()
    {
        // A database of its own: expiry counts every pending hold of the database.
        await using var database = await TestDatabase.CreateMigratedAsync();
        var ledger = new CostLedger(database.DataSource);
        await ledger.SetBudgetAsync("expiring", new BudgetChange { Daily = BudgetLimit.Of(10m) });
        await ledger.ReserveAtAsync(Hold("expiring", 8m, "h-exp", TimeSpan.FromMinutes(5)), Noon, CancellationToken.None);
        Assert.False((await ledger.ChargeAtAsync(Charge("expiring", 5m), Noon.AddMinutes(4), CancellationToken.None)).IsCharged);

        // Not yet marked expired by maintenance, and already no longer counted.
        Assert.True((await ledger.ChargeAtAsync(Charge("expiring", 5m), Noon.AddMinutes(5), CancellationToken.None)).IsCharged);
        var settle = await Assert.ThrowsAsync<SarkException>(() => ledger.FinishAsync("h-exp", true, 1m, null, Noon.AddMinutes(6), CancellationToken.None));
        Assert.Equal("reservation 'h-exp' expired at 2031-06-10T12:05:00Z; its hold no longer counts, so there is nothing to settle (record the cost as a charge instead)", settle.Message);

        Assert.Equal(1, await ledger.ExpireReservationsAtAsync(Noon.AddMinutes(6), CancellationToken.None));
        Assert.Equal(0, await ledger.ExpireReservationsAtAsync(Noon.AddMinutes(6), CancellationToken.None));
        var release = await Assert.ThrowsAsync<SarkException>(() => ledger.ReleaseAsync("h-exp"));
        Assert.Equal(SarkErrorKind.Conflict, release.Kind);
        Assert.Contains("expired at 2031-06-10T12:05:00Z", release.Message);
    }

    [Fact]
    public async Task Concurrent_settle_and_expire_let_exactly_one_win_for_every_hold()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var ledger = new CostLedger(database.DataSource);
        var expiry = Noon.AddMinutes(10);
        var ids = Enumerable.Range(0, 40).Select(i => $"race-{i}").ToList();
        foreach (var id in ids)
        {
            await ledger.ReserveAtAsync(Hold("racer", 1m, id, TimeSpan.FromMinutes(10)), Noon, CancellationToken.None);
        }

        // Settles just before the expiry, expiry just after it: whichever locks a hold first wins it.
        var settles = ids.Select(id => Task.Run(async () =>
        {
            try
            {
                await ledger.FinishAsync(id, true, 1m, null, expiry.AddSeconds(-1), CancellationToken.None);
                return true;
            }
            catch (SarkException ex) when (ex.Kind == SarkErrorKind.Conflict)
            {
                return false;
            }
        })).ToList();
        var expired = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => ledger.ExpireReservationsAtAsync(expiry.AddSeconds(1), CancellationToken.None))));
        var settled = (await Task.WhenAll(settles)).Count(s => s);

        Assert.Equal(ids.Count, settled + expired.Sum());
        Assert.Equal(settled, await CostRowsAsync(database, "racer"));
        Assert.Equal((long)settled, await database.ScalarAsync<long>("SELECT count(*) FROM budget_reservations WHERE principal_id = 'racer' AND state = 'settled'"));
        Assert.Equal(expired.Sum(), (int)await database.ScalarAsync<long>("SELECT count(*) FROM budget_reservations WHERE principal_id = 'racer' AND state = 'expired'"));
    }

    [Fact]
    public async Task A_reservation_id_reused_for_another_hold_is_a_conflict_and_an_unknown_one_is_not_found()
    {
        await Ledger.ReserveAsync(Hold("reuser", 1m, "h-reused"));

        var retry = await Ledger.ReserveAsync(Hold("reuser", 1m, "h-reused"));
        Assert.True(retry.Replayed);
        var reused = await Assert.ThrowsAsync<IdReusedException>(() => Ledger.ReserveAsync(Hold("reuser", 2m, "h-reused")));
        Assert.Equal(SarkErrorKind.Conflict, reused.Kind);
        Assert.Equal("reservation id 'h-reused' was already used for another hold (principal 'reuser', resource 'res-1', capability 'cap-1', estimate 1.00 USD); this one differs in estimate; use a new id for a new reservation", reused.Message);
        var missing = await Assert.ThrowsAsync<SarkException>(() => Ledger.SettleAsync("h-never", 1m));
        Assert.Equal((SarkErrorKind.NotFound, "reservation 'h-never' does not exist"), (missing.Kind, missing.Message));
    }

    [Fact]
    public async Task Pruning_keeps_recent_charge_ids_and_pending_holds()
    {
        await Ledger.ChargeAsync(Charge("pruned", 1m, "old-charge"));
        await Ledger.ReserveAsync(Hold("pruned", 1m, "old-hold"));
        await Ledger.ReserveAsync(Hold("pruned", 1m, "pending-hold"));
        await Ledger.ReleaseAsync("old-hold");
        await fixture.Database.ExecuteAsync("UPDATE cost_charges SET created_at = now() - interval '31 days' WHERE charge_id = 'old-charge'");
        await fixture.Database.ExecuteAsync("UPDATE budget_reservations SET finished_at = now() - interval '31 days', created_at = now() - interval '31 days' WHERE principal_id = 'pruned'");

        Assert.Equal(2, await Ledger.PruneLedgerAsync());
        Assert.Equal(0, await Ledger.PruneLedgerAsync());
        Assert.Equal("pending-hold", await fixture.Database.ScalarAsync<string>("SELECT string_agg(reservation_id, ',') FROM budget_reservations WHERE principal_id = 'pruned'"));
    }
}
