using System.Diagnostics;
using Npgsql;
using Sark.Data.Costs;
using Sark.Data.Errors;
using Sark.Testing;
using static Sark.Data.Tests.Costs.CostTestData;

namespace Sark.Data.Tests.Costs;

/// <summary>
/// A batch of charges that times out waiting for the budget row (a long transaction holds it) is
/// not retried charge by charge: that would make the last caller wait once per charge of the batch.
/// </summary>
public sealed class ChargeBatchTimeoutTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task A_batch_that_times_out_fails_every_charge_at_once_and_the_ledger_recovers()
    {
        const string principal = "batch-timeout";
        var database = fixture.Database;
        await new CostLedger(database.DataSource).SetBudgetAsync(principal, new BudgetChange { Daily = BudgetLimit.Of(100m) });
        await using var impatient = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database.ConnectionString) { CommandTimeout = 1 }.ConnectionString);
        var ledger = new CostLedger(impatient);

        await using var holder = await database.OpenAsync();
        await using var open = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand($"SELECT 1 FROM principal_budgets WHERE principal_id = '{principal}' FOR UPDATE", holder, open))
        {
            await lockRow.ExecuteNonQueryAsync();
        }

        // One charge leads alone; the other eleven queue behind it and go as one batch.
        var watch = Stopwatch.StartNew();
        var charges = Enumerable.Range(0, 12).Select(i => Task.Run(() => ledger.ChargeAsync(Charge(principal, 1m, $"{principal}-{i}")))).ToList();
        foreach (var charge in charges)
        {
            await Assert.ThrowsAnyAsync<SarkException>(() => charge);
        }

        watch.Stop();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(7), $"the charges took {watch.Elapsed.TotalSeconds:F1} s to fail");

        await open.RollbackAsync();
        Assert.True((await ledger.ChargeAsync(Charge(principal, 1m, $"{principal}-after"))).IsCharged);
        Assert.Equal(1L, await CostRowsAsync(database, principal));
    }
}
