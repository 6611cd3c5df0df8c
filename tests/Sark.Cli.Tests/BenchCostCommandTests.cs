using System.Text.Json;
using Sark.Cli.Bench;
using Sark.Testing;

namespace Sark.Cli.Tests;

/// <summary>
/// The benchmark's cost operations against a real PostgreSQL: the charge through the cost ledger,
/// 32 clients charging one principal with the totals checked exactly, and bulk ingestion; every row
/// they write (cost rows, charge ids, budgets) is gone afterwards. Generous targets keep speed out.
/// </summary>
public sealed class BenchCostCommandTests
{
    private static readonly string GenerousTargets = WriteTargets("""{"cost-charge": 60000, "cost-charge-concurrent": 1, "cost-ingest": 1}""");

    [Fact]
    public async Task The_cost_operations_charge_through_the_ledger_check_their_totals_and_leave_nothing_written()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var report = Path.Combine(Path.GetTempPath(), $"sark-bench-{Guid.NewGuid():N}.json");

        var result = await CliRunner.RunAsync(["bench", "--scale", "20", "--duration", "1s", "--only", "cost-charge", "cost-charge-concurrent", "cost-ingest",
            "--targets", GenerousTargets, "--json", report, "--database", database.Url]);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Out);
        Assert.Contains("| cost-charge-concurrent | 32 | ", result.Out);
        Assert.Matches(@"cost-charge-concurrent: totals exact: [\d,]+ charges passed, 0 denied, [\d,]+ cost rows, spent [\d.]+ \(expected [\d.]+ = [\d,]+ x 0\.0013\)\.", result.Out);
        Assert.Matches(@"cost-ingest: [\d,]+ rows a second \(10,000 a call\)\.", result.Out);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        File.Delete(report);
        var concurrent = json.RootElement.GetProperty("operations").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "cost-charge-concurrent");
        Assert.True(concurrent.GetProperty("check").GetProperty("passed").GetBoolean());
        Assert.Equal(32, concurrent.GetProperty("clients").GetInt32());
        Assert.True(concurrent.GetProperty("pgbench").GetProperty("transactions").GetInt64() > 0, concurrent.ToString());

        // What the three wrote, through the ledger and through pgbench, is gone; the generated cost rows stay.
        foreach (var table in new[] { "cost_charges", "principal_budgets", "budget_reservations" })
        {
            Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM {table}"));
        }

        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM cost_tracking WHERE principal_id LIKE 'bench-%-w-%'"));
        Assert.Equal(2000L, await database.ScalarAsync<long>("SELECT count(*) FROM cost_tracking"));
    }

    [Fact]
    public async Task The_maintain_benchmark_rolls_up_a_generated_history_in_a_scratch_database_and_drops_it()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var report = Path.Combine(Path.GetTempPath(), $"sark-bench-{Guid.NewGuid():N}.json");

        var result = await CliRunner.RunAsync(["bench", "maintain", "--rows", "5000", "--days", "10", "--late-rows", "100", "--runs", "2", "--json", report, "--database", database.Url]);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Out);
        Assert.Contains("first refresh: ", result.Error);
        Assert.Contains(", 5,000 rows read", result.Error);
        Assert.Matches(@"\| trailing-window refresh \| 2 \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d,]+ \| < 30 s \| pass \|", result.Out);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        File.Delete(report);
        Assert.Equal(2, json.RootElement.GetProperty("refresh").GetProperty("runs").GetInt32());
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_database WHERE datname LIKE 'sark_bench_maintain_%'"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM cost_tracking"));
    }

    [Theory]
    [InlineData("0.0026", 2, 2, true)]
    [InlineData("0.0013", 2, 2, false)] // an increment lost: spent is one charge short
    [InlineData("0.0039", 2, 2, false)] // a charge counted twice
    [InlineData("0.0026", 2, 3, false)] // a cost row without its charge id
    public async Task The_concurrent_charges_check_fails_on_any_total_that_is_not_exact(string spent, int charged, int costRows, bool exact)
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var data = new BenchDataset("0123abcd", 10, BenchDataset.DefaultSeed, BenchDataset.CurrentGenerator, DateTimeOffset.UtcNow);
        var hot = BenchCostOperations.HotPrincipal(data);
        await database.ExecuteAsync($"""
            INSERT INTO principal_budgets (principal_id, daily_spent, monthly_spent, last_daily_reset, last_monthly_reset)
            VALUES ('{hot}', {spent}, {spent}, date_trunc('day', now(), 'UTC'), date_trunc('month', now(), 'UTC'));
            INSERT INTO cost_tracking (principal_id, resource_id, capability_id, actual_cost)
            SELECT '{hot}', 'r', 'c', 0.0013 FROM generate_series(1, {costRows});
            INSERT INTO cost_charges (charge_id, principal_id, actual_cost, currency, outcome, cost_id, cost_timestamp)
            SELECT 'charge-' || i, '{hot}', 0.0013, 'USD', 'charged', i, now() FROM generate_series(1, {charged}) AS i;
            """);
        await using var connection = await database.OpenAsync();

        var check = await BenchCostOperations.CheckHotTotalsAsync(connection, data, CancellationToken.None);

        Assert.Equal(exact, check.Passed);
        Assert.Contains($"{charged} charges passed, 0 denied, {costRows} cost rows, spent {spent}00", check.Text);
    }

    private static string WriteTargets(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"sark-targets-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, content);
        return path;
    }
}
