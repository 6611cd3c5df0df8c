using Npgsql;
using Sark.Data.Errors;
using Sark.Testing;

namespace Sark.V1Import.Tests;

public sealed class SampleDataTests
{
    [Fact]
    public async Task Of_two_generators_started_at_once_one_generates_and_the_other_is_told_the_table_has_rows()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        // Both generators are held at the v1 tables until both are waiting, so they really race.
        await using var holder = await database.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("LOCK TABLE mcp_servers IN ACCESS EXCLUSIVE MODE", holder, hold))
        {
            await take.ExecuteNonQueryAsync();
        }

        var runs = Enumerable.Range(0, 2).Select(_ => Task.Run(() => SampleData.GenerateAsync(database.DataSource, 200, 3))).ToList();
        while (await database.ScalarAsync<long>(
            $"SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = '{database.Name}'") < 2)
        {
            Assert.DoesNotContain(runs, r => r.IsCompleted);
            await Task.Delay(20);
        }

        await hold.CommitAsync();
        var outcomes = new List<string>();
        foreach (var run in runs)
        {
            try
            {
                var (servers, tools) = await run;
                outcomes.Add($"generated {servers} servers, {tools} tools");
            }
            catch (SarkException error)
            {
                outcomes.Add(error.Message);
            }
        }

        Assert.Equal(
            ["generated 200 servers, 600 tools", "mcp_servers already has 200 row(s); the sample goes into an empty v1 database"],
            outcomes.Order(StringComparer.Ordinal));
        Assert.Equal("200|600", await database.ScalarAsync<string>("SELECT (SELECT count(*) FROM mcp_servers) || '|' || (SELECT count(*) FROM mcp_tools)"));
    }
}
