using Npgsql;
using Sark.Data.Connection;
using Sark.Testing;

namespace Sark.Cli.Tests;

/// <summary>The harness's URL reaches a server that requires a password (SARK_TEST_DATABASE_URL may name one).</summary>
public sealed class TestDatabaseUrlTests
{
    // Every character a URL reserves, so only correct percent-encoding gets it through.
    private const string Password = "p@ss/w?rd#:%&=+ x";

    [Fact]
    public async Task The_url_keeps_the_password_so_the_cli_logs_in_where_a_password_is_required()
    {
        await using var home = new TempHome();
        var status = await home.Local.StartAsync();
        var admin = ConnectionStrings.Parse(status.ConnectionString!);
        admin.Pooling = false;
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var role = new NpgsqlCommand($"CREATE ROLE cli_tester LOGIN SUPERUSER PASSWORD '{Password}'", connection);
            await role.ExecuteNonQueryAsync();

            // From now on this server asks every client for its password.
            await File.WriteAllTextAsync(Path.Combine(home.Path, "data", "pg_hba.conf"), "local all all scram-sha-256\n");
            await using var reload = new NpgsqlCommand("SELECT pg_reload_conf()", connection);
            await reload.ExecuteNonQueryAsync();
        }

        var withPassword = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Username = "cli_tester", Password = Password };
        var reached = await CliRunner.RunAsync("db", "status", "--database", TestDatabase.UrlOf(withPassword));
        Assert.True(reached.ExitCode == ExitCodes.Pending, reached.Error);

        withPassword.Password = null;
        var refused = await CliRunner.RunAsync("db", "status", "--database", TestDatabase.UrlOf(withPassword));
        Assert.Equal(ExitCodes.CannotConnect, refused.ExitCode);
    }
}
