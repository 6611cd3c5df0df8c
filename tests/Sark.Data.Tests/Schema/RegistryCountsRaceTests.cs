using Npgsql;
using Sark.Testing;

namespace Sark.Data.Tests.Schema;

/// <summary>
/// Interleavings of two transactions that the counters of migration 010 must survive: one is held
/// open at the point where the other would read what it has not committed yet, then committed.
/// </summary>
public sealed class RegistryCountsRaceTests
{
    private const string DifferencesSql = RegistryCountsTests.DifferencesSql;

    private const string SeedSql = """
        INSERT INTO resources (id, name, protocol, endpoint, sensitivity_level)
        SELECT 'r' || g, 'n' || g, 'mcp', 'e', 'low' FROM generate_series(1, 5) AS g;
        INSERT INTO capabilities (id, resource_id, name, sensitivity_level)
        SELECT 'c' || g || '-' || k, 'r' || g, 'k' || k, 'high' FROM generate_series(1, 5) AS g, generate_series(1, 3) AS k;
        """;

    [Theory]
    [InlineData("INSERT INTO capabilities (id, resource_id, name, sensitivity_level) VALUES ('c-late', 'r1', 'late', 'critical')")]
    [InlineData("DELETE FROM capabilities WHERE resource_id = 'r1' AND name = 'k1'")]
    [InlineData("UPDATE capabilities SET sensitivity_level = 'low' WHERE resource_id = 'r1'")]
    public async Task A_capability_write_during_an_open_protocol_change_counts_under_the_committed_protocol(string write)
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await database.ExecuteAsync(SeedSql);

        // Uncommitted: the capability writer must not count under 'mcp' what ends up under 'http'.
        await using var changer = await database.OpenAsync();
        await using var change = await changer.BeginTransactionAsync();
        await ExecuteAsync(changer, "UPDATE resources SET protocol = 'http' WHERE id = 'r1'", change);

        var writer = Task.Run(async () =>
        {
            await using var connection = await database.OpenAsync();
            await ExecuteAsync(connection, write);
        });
        await WaitBlockedOrDoneAsync(database, writer);
        await change.CommitAsync();
        await writer;

        Assert.Equal(0L, await database.ScalarAsync<long>(DifferencesSql));
    }

    [Fact]
    public async Task Truncate_during_an_open_compaction_counts_every_row_once()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await database.ExecuteAsync(SeedSql);
        await database.ExecuteAsync("INSERT INTO resources (id, name, protocol, endpoint) VALUES ('r6', 'n', 'grpc', 'e')");

        await using var compactor = await database.OpenAsync();
        await using var compaction = await compactor.BeginTransactionAsync();
        await ExecuteAsync(compactor, "SELECT sark_registry_counts_compact()", compaction);

        var truncate = Task.Run(async () =>
        {
            await using var connection = await database.OpenAsync();
            await ExecuteAsync(connection, "TRUNCATE capabilities");
        });
        await WaitBlockedOrDoneAsync(database, truncate);
        await compaction.CommitAsync();
        await truncate;

        Assert.Equal(0L, await database.ScalarAsync<long>(DifferencesSql));
        Assert.Equal(6L, await database.ScalarAsync<long>("SELECT sum(resources)::bigint FROM registry_counts"));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync();
    }

    // Until the other statement finished or waits for a lock of the open transaction (at most 5 s).
    private static async Task WaitBlockedOrDoneAsync(TestDatabase database, Task other)
    {
        for (var i = 0; i < 200 && !other.IsCompleted; i++)
        {
            if (await database.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") > 0)
            {
                return;
            }

            await Task.Delay(25);
        }
    }
}
