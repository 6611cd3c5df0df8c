using System.Diagnostics;
using Npgsql;
using Sark.Data.Costs;
using Sark.Testing;
using static Sark.Data.Tests.Costs.CostTestData;

namespace Sark.Data.Tests.Costs;

/// <summary>
/// A charge queued behind other charges of its principal (they go as one batch) honours its
/// caller's cancellation until it is sent: it ends at once with an OperationCanceledException and
/// nothing of it reaches the database. Once sent in a batch, its outcome stands.
/// </summary>
public sealed class ChargeCancellationTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(2);

    // Holds the budget row's lock in an open transaction, as a long charge elsewhere would.
    private async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)> LockBudgetAsync(string principal)
    {
        var connection = await fixture.Database.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var lockRow = new NpgsqlCommand($"SELECT 1 FROM principal_budgets WHERE principal_id = '{principal}' FOR UPDATE", connection, transaction);
        await lockRow.ExecuteNonQueryAsync();
        return (connection, transaction);
    }

    // Waits until n sessions run sark_charge and wait for a lock: the charges were sent.
    private async Task WaitForBlockedChargesAsync(int n)
    {
        var clock = Stopwatch.StartNew();
        while (await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM sark_charge(%'") < n)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the charges never reached the database");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_queued_charge_whose_caller_cancels_ends_at_once_and_is_never_sent()
    {
        const string principal = "cancel-queued";
        var ledger = new CostLedger(fixture.Database.DataSource);
        await ledger.SetBudgetAsync(principal, new BudgetChange { Daily = BudgetLimit.Of(100m) });
        var (holder, open) = await LockBudgetAsync(principal);
        await using var holderDisposal = holder;

        var lead = ledger.ChargeAsync(Charge(principal, 1m, "cancel-lead"));
        await WaitForBlockedChargesAsync(1);
        using var cancel = new CancellationTokenSource();
        var queued = ledger.ChargeAsync(Charge(principal, 2m, "cancel-queued"), cancel.Token);
        var other = ledger.ChargeAsync(Charge(principal, 4m, "cancel-other"));
        var clock = Stopwatch.StartNew();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        Assert.True(clock.Elapsed < Prompt, $"the cancelled charge took {clock.Elapsed.TotalSeconds:F1} s to end");
        Assert.False(lead.IsCompleted, "the lead charge ended while the budget row was locked");

        await open.CommitAsync();
        Assert.True((await lead).IsCharged);
        Assert.True((await other).IsCharged);
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM cost_charges WHERE charge_id = 'cancel-queued'"));
        Assert.Equal(5m, await CostSumAsync(fixture.Database, principal));

        // Nothing was sent, so the same id later is a first charge, not a replay.
        var again = await ledger.ChargeAsync(Charge(principal, 2m, "cancel-queued"));
        Assert.False(again.Replayed);
        Assert.Equal(7m, again.DailySpent);
    }

    [Fact]
    public async Task An_already_cancelled_token_ends_the_charge_before_it_is_sent()
    {
        var ledger = new CostLedger(fixture.Database.DataSource);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ledger.ChargeAsync(Charge("cancel-early", 1m, "cancel-early"), new CancellationToken(canceled: true)));

        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM cost_charges WHERE charge_id = 'cancel-early'"));
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM principal_budgets WHERE principal_id = 'cancel-early'"));
    }

    [Fact]
    public async Task A_charge_cancelled_after_its_batch_was_sent_keeps_its_outcome()
    {
        const string principal = "cancel-sent";
        var ledger = new CostLedger(fixture.Database.DataSource);
        await ledger.SetBudgetAsync(principal, new BudgetChange { Daily = BudgetLimit.Of(100m) });
        var (first, firstOpen) = await LockBudgetAsync(principal);
        await using var firstDisposal = first;

        // The lead goes alone and waits for the lock; two charges queue behind it.
        var lead = ledger.ChargeAsync(Charge(principal, 1m, "sent-lead"));
        await WaitForBlockedChargesAsync(1);
        using var cancel = new CancellationTokenSource();
        var batched = ledger.ChargeAsync(Charge(principal, 2m, "sent-batched"), cancel.Token);
        var neighbour = ledger.ChargeAsync(Charge(principal, 4m, "sent-neighbour"));

        // A second holder queues for the lock behind the lead, so the batch sent after the lead
        // waits in the database too.
        await using var second = await fixture.Database.OpenAsync();
        var secondOpen = await second.BeginTransactionAsync();
        var secondLock = new NpgsqlCommand($"SELECT 1 FROM principal_budgets WHERE principal_id = '{principal}' FOR UPDATE", second, secondOpen).ExecuteNonQueryAsync();
        await Task.Delay(200);
        await firstOpen.CommitAsync();
        Assert.True((await lead).IsCharged);
        await secondLock;
        await WaitForBlockedChargesAsync(1);

        await cancel.CancelAsync();
        await Task.Delay(300);
        Assert.False(batched.IsCompleted, "the sent charge ended on its caller's cancel while its batch waited");
        await secondOpen.CommitAsync();

        var result = await batched;
        Assert.True(result.IsCharged);
        Assert.True((await neighbour).IsCharged);
        Assert.Equal(7m, await CostSumAsync(fixture.Database, principal));
    }
}
