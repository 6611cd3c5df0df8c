using Npgsql;
using Sark.Data.Schema;
using Sark.Testing;

namespace Sark.Data.Tests.Harness;

/// <summary>The harness drops only what this machine provably made, and its template cannot go stale.</summary>
public sealed class TestDatabaseSweepTests
{
    [Fact]
    public async Task The_sweep_drops_this_hosts_abandoned_databases_and_leaves_other_hosts_and_live_ones()
    {
        var deadPid = NeverAllocatedPid();
        var sequence = Random.Shared.Next(1_000_000, int.MaxValue);
        var otherHost = (TestDatabaseNames.HostId[0] == 'a' ? "b" : "a") + TestDatabaseNames.HostId[1..];
        var otherBoot = (TestDatabaseNames.BootId[0] == 'a' ? "b" : "a") + TestDatabaseNames.BootId[1..];

        var otherHostsDatabase = TestDatabaseNames.For(otherHost, TestDatabaseNames.BootId, deadPid, sequence);
        var deadHere = TestDatabaseNames.For(TestDatabaseNames.HostId, TestDatabaseNames.BootId, deadPid, sequence);
        var beforeReboot = TestDatabaseNames.For(TestDatabaseNames.HostId, otherBoot, Environment.ProcessId, sequence);
        var liveHere = TestDatabaseNames.ForThisProcess(sequence);
        string[] all = [otherHostsDatabase, deadHere, beforeReboot, liveHere];
        try
        {
            foreach (var name in all)
            {
                await ExecuteAsync($"CREATE DATABASE {name} TEMPLATE template0");
            }

            await TestDatabase.DropAbandonedAsync();

            var left = await ExistingAsync(all);
            Assert.Equal(new[] { otherHostsDatabase, liveHere }.Order(StringComparer.Ordinal), left.Order(StringComparer.Ordinal));
        }
        finally
        {
            foreach (var name in all)
            {
                await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            }
        }
    }

    [Fact]
    public void Names_from_the_old_scheme_and_other_hosts_are_never_abandoned_here()
    {
        Assert.False(TestDatabaseNames.IsAbandonedHere($"t_{NeverAllocatedPid()}_1"));
        Assert.False(TestDatabaseNames.IsAbandonedHere("sark"));
        Assert.True(TestDatabaseNames.IsAbandonedHere(TestDatabaseNames.For(TestDatabaseNames.HostId, TestDatabaseNames.BootId, NeverAllocatedPid(), 1)));
    }

    [Fact]
    public void The_template_name_changes_with_the_month_because_007_makes_partitions_for_the_month_it_runs_in()
    {
        var january = TestDatabaseNames.Template(MigrationSet.Embedded, new DateTime(2031, 1, 31, 23, 0, 0, DateTimeKind.Utc));
        var february = TestDatabaseNames.Template(MigrationSet.Embedded, new DateTime(2031, 2, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.NotEqual(january, february);
        Assert.Equal(january, TestDatabaseNames.Template(MigrationSet.Embedded, new DateTime(2031, 1, 1, 0, 0, 0, DateTimeKind.Utc)));

        var april = new DateTime(2031, 4, 10, 0, 0, 0, DateTimeKind.Utc);
        Assert.True(TestDatabaseNames.IsOutdatedTemplate(february, april));
        Assert.False(TestDatabaseNames.IsOutdatedTemplate(TestDatabaseNames.Template(MigrationSet.Embedded, april.AddMonths(-1)), april));
        Assert.False(TestDatabaseNames.IsOutdatedTemplate("sark_tpl_0123456789ab", april));
    }

    [Fact]
    public async Task A_copy_of_the_template_has_the_cost_partitions_of_this_month_and_the_next()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var now = DateTime.UtcNow;
        var partitions = await database.ScalarAsync<string>(
            "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'cost_tracking'::regclass");
        Assert.Equal($"cost_tracking_default,cost_tracking_p{now:yyyyMM},cost_tracking_p{now.AddMonths(1):yyyyMM}", partitions);
    }

    // PIDs wrap below pid_max, so pid_max itself never names a process.
    private static int NeverAllocatedPid() => int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim());

    private static async Task ExecuteAsync(string sql)
    {
        var admin = await TestServer.GetAdminAsync();
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> ExistingAsync(string[] names)
    {
        var admin = await TestServer.GetAdminAsync();
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname = ANY($1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = names });
        var found = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            found.Add(reader.GetString(0));
        }

        return found;
    }
}
