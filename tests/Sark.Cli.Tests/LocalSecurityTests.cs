using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text.Json;
using Npgsql;
using Sark.Data.Connection;
using Sark.Local;

namespace Sark.Cli.Tests;

/// <summary>The embedded server is reachable only by the OS user it runs as (and root).</summary>
[UnsupportedOSPlatform("windows")]
public sealed class LocalSecurityTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static string ExpectedServerUser => Environment.IsPrivilegedProcess ? OsCommand.ServerSystemUser : Environment.UserName;

    [Fact]
    public async Task Another_os_user_cannot_connect_while_the_owner_can_and_nothing_listens_on_tcp()
    {
        await using var home = new TempHome();
        var started = await CliRunner.RunAsync("local", "start", "--data-dir", home.Path, "--json");
        Assert.True(started.ExitCode == ExitCodes.Success, started.Error);
        var url = JsonDocument.Parse(started.Out).RootElement.GetProperty("url").GetString()!;

        var run = Path.Combine(home.Path, "run");
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(run));
        Assert.Equal(ExpectedServerUser, (await OsCommand.RunAsync(null, "stat", "-c", "%U", run)).Out.Trim());

        // The printed URL works for psql and, through the CLI's parser, for Npgsql.
        var psql = await PsqlAsync();
        var mine = await OsCommand.RunAsync(null, psql, url, "-Atc", "SHOW listen_addresses");
        Assert.True(mine.ExitCode == 0, mine.Error);
        Assert.Equal("", mine.Out.Trim());
        var parsed = ConnectionStrings.Parse(url);
        parsed.Pooling = false;
        await using (var connection = new NpgsqlConnection(parsed.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT current_setting('listen_addresses') || '|' || current_user", connection);
            Assert.Equal("|sark", await command.ExecuteScalarAsync());
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return; // Switching to another user needs root (CI runs as root).
        }

        // Open the home itself, so that only run/ (mode 0700) stands between nobody and the socket.
        File.SetUnixFileMode(home.Path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        Assert.Equal(0, (await OsCommand.RunAsync("nobody", "test", "-x", home.Path)).ExitCode);
        var other = await OsCommand.RunAsync("nobody", psql, url, "-Atc", "SELECT 1");
        Assert.NotEqual(0, other.ExitCode);
        Assert.Contains("Permission denied", other.Error);
    }

    [Fact]
    public async Task A_cluster_of_an_earlier_sark_listening_on_tcp_is_restarted_socket_only_and_keeps_its_data()
    {
        await using var home = new TempHome();
        var port = await StartLegacyClusterAsync(home.Path);
        var tcp = $"Host=127.0.0.1;Port={port};Username=sark;Database=postgres;Pooling=false;Timeout=5";
        await using (var connection = new NpgsqlConnection(tcp))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE kept_from_before (id int)", connection);
            await create.ExecuteNonQueryAsync();

            // postgresql.auto.conf outranks postgresql.conf; sark's command-line settings must outrank both.
            await using var alter = new NpgsqlCommand("ALTER SYSTEM SET listen_addresses = '127.0.0.1'", connection);
            await alter.ExecuteNonQueryAsync();
        }

        var before = await CliRunner.RunAsync("local", "status", "--data-dir", home.Path, "--json");
        Assert.Equal("running-insecure", JsonDocument.Parse(before.Out).RootElement.GetProperty("state").GetString());
        var noUrl = await CliRunner.RunAsync("local", "url", "--data-dir", home.Path);
        Assert.Equal(ExitCodes.Failure, noUrl.ExitCode);
        Assert.Contains("sark local start", Assert.Single(noUrl.ErrorLines));

        var started = await CliRunner.RunAsync("local", "start", "--data-dir", home.Path, "--json");
        Assert.True(started.ExitCode == ExitCodes.Success, started.Error);
        var status = JsonDocument.Parse(started.Out).RootElement;
        Assert.Equal("running", status.GetProperty("state").GetString());

        await Assert.ThrowsAnyAsync<NpgsqlException>(async () =>
        {
            await using var connection = new NpgsqlConnection(tcp);
            await connection.OpenAsync();
        });
        var socket = ConnectionStrings.Parse(status.GetProperty("url").GetString()!);
        socket.Database = "postgres";
        socket.Pooling = false;
        await using (var connection = new NpgsqlConnection(socket.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT current_setting('listen_addresses') || '|' || (to_regclass('kept_from_before') IS NOT NULL)", connection);
            Assert.Equal("|true", await command.ExecuteScalarAsync());
        }

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(home.Path, "run")));
    }

    /// <summary>Makes and starts a cluster the way sark did before the socket-only server.</summary>
    private static async Task<int> StartLegacyClusterAsync(string home)
    {
        Directory.CreateDirectory(home);
        if (Environment.IsPrivilegedProcess)
        {
            await MustAsync(OsCommand.RunAsync(null, "chown", $"{OsCommand.ServerSystemUser}:", home));
        }

        var binaries = await PostgresBinaries.FindAsync();
        var data = Path.Combine(home, "data");
        await MustAsync(OsCommand.RunAsServerUserAsync(binaries.InitDb, "-D", data, "-U", "sark", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"));
        await File.AppendAllLinesAsync(Path.Combine(data, "postgresql.conf"), [
            "",
            "# Added by sark: a private loopback-only server.",
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = ''",
            "max_connections = 300",
            "fsync = off",
        ]);

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await MustAsync(OsCommand.RunAsServerUserAsync(binaries.PgCtl, "start", "-D", data, "-l", Path.Combine(home, "server.log"), "-w", "-t", "60", "-o", $"-p {port}"));
        return port;
    }

    private static async Task<string> PsqlAsync() => Path.Combine((await PostgresBinaries.FindAsync()).BinDirectory, "psql");

    private static async Task MustAsync(Task<CliResult> command)
    {
        var result = await command;
        Assert.True(result.ExitCode == 0, result.Out + result.Error);
    }
}
