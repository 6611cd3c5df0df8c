using System.Text.Json;
using Npgsql;
using Sark.Testing;

namespace Sark.Cli.Tests;

/// <summary>
/// The programs the benchmarks start (pgbench, and the sark processes of bench migrate-v1) log in
/// with the password of the connection string as given; a data source's own connection string
/// leaves it out. The test cluster trusts its socket, so this class lets one role of its own in
/// with a password only (a line of its own at the top of pg_hba.conf, removed afterwards).
/// </summary>
public sealed class BenchPasswordTests
{
    [Fact]
    public async Task Pgbench_and_the_migration_benchmarks_children_get_the_password()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var role = $"sark_pw_{Guid.NewGuid():N}"[..24];
        var password = $"pw-{Guid.NewGuid():N}";
        await using var admin = new NpgsqlConnection((await TestServer.GetAdminAsync()).ConnectionString);
        await admin.OpenAsync();
        var hbaFile = await ScalarAsync<string>(admin, "SHOW hba_file");
        var original = await File.ReadAllTextAsync(hbaFile);
        await ExecuteAsync(admin, $"CREATE ROLE {role} LOGIN SUPERUSER PASSWORD '{password}'");
        try
        {
            await File.WriteAllTextAsync(hbaFile, $"local all {role} scram-sha-256\n" + original);
            await ExecuteAsync(admin, "SELECT pg_reload_conf()");
            var login = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = role, Password = password, Pooling = true };
            var withoutPassword = new NpgsqlConnectionStringBuilder(login.ConnectionString) { Password = null };
            await using (var refused = new NpgsqlConnection(withoutPassword.ConnectionString))
            {
                // The line is in force: without the password this role cannot log in.
                await Assert.ThrowsAnyAsync<NpgsqlException>(() => refused.OpenAsync());
            }

            var report = Path.Combine(Path.GetTempPath(), $"sark-bench-{Guid.NewGuid():N}.json");
            var bench = await CliRunner.RunAsync(
                "bench", "--scale", "10", "--duration", "1s", "--only", "federation-lookup", "--targets", Targets(), "--json", report, "--database", login.ConnectionString);
            Assert.True(bench.ExitCode == ExitCodes.Success, bench.Error);
            Assert.DoesNotContain(password, bench.Out + bench.Error);
            using (var json = JsonDocument.Parse(await File.ReadAllTextAsync(report)))
            {
                File.Delete(report);
                var pgbench = json.RootElement.GetProperty("operations")[0].GetProperty("pgbench");
                Assert.True(pgbench.GetProperty("failure").ValueKind == JsonValueKind.Null, pgbench.ToString());
                Assert.True(pgbench.GetProperty("transactions").GetInt64() > 0);
            }

            var migration = await CliRunner.RunAsync("bench", "migrate-v1", "--servers", "5", "--tools-per-server", "1", "--runs", "1", "--database", login.ConnectionString);
            Assert.True(migration.ExitCode == ExitCodes.Success, migration.Error);
            Assert.DoesNotContain(password, migration.Out + migration.Error);
        }
        finally
        {
            await File.WriteAllTextAsync(hbaFile, original);
            await ExecuteAsync(admin, "SELECT pg_reload_conf()");
            // What the role created in the test database (the benchmark's schema, partitions) goes to the test's owner.
            await using (var owner = await database.OpenAsync())
            {
                await ExecuteAsync(owner, $"REASSIGN OWNED BY {role} TO CURRENT_USER; DROP OWNED BY {role}");
            }

            await ExecuteAsync(admin, $"DROP OWNED BY {role}; DROP ROLE {role}");
        }
    }

    private static string Targets()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sark-targets-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"federation-lookup": 60000}""");
        return path;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
