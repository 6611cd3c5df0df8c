using System.Text.Json;
using Npgsql;
using Sark.Data.Connection;

namespace Sark.Cli.Tests;

/// <summary>sark never deletes, writes to or takes over a folder it did not create.</summary>
public sealed class LocalHomeTests
{
    [Fact]
    public async Task A_folder_with_someone_elses_files_is_refused_by_every_local_command_and_left_untouched()
    {
        await using var home = new TempHome();
        Directory.CreateDirectory(Path.Combine(home.Path, "data"));
        await File.WriteAllTextAsync(Path.Combine(home.Path, "notes.txt"), "mine");
        await File.WriteAllTextAsync(Path.Combine(home.Path, "data", "thesis.tex"), "years of work");
        var before = await OsCommand.SnapshotAsync(home.Path);

        foreach (var command in new[] { "start", "stop", "status" })
        {
            var result = await CliRunner.RunAsync("local", command, "--data-dir", home.Path);
            Assert.Equal(ExitCodes.Failure, result.ExitCode);
            var line = Assert.Single(result.ErrorLines);
            Assert.Contains($"{home.Path} is not empty and is not a sark home", line);
        }

        var migrate = await CliRunner.RunAsync("db", "migrate", "--data-dir", home.Path);
        Assert.Equal(ExitCodes.Failure, migrate.ExitCode);
        Assert.Equal(before, await OsCommand.SnapshotAsync(home.Path));
    }

    [Fact]
    public async Task An_existing_home_that_the_server_user_does_not_own_is_refused_until_its_owner_gives_it()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return; // Only root can make a folder another user owns; CI runs as root.
        }

        await using var home = new TempHome();
        Directory.CreateDirectory(home.Path);
        var before = await OsCommand.SnapshotAsync(home.Path);

        var refused = await CliRunner.RunAsync("local", "start", "--data-dir", home.Path);
        Assert.Equal(ExitCodes.Failure, refused.ExitCode);
        var line = Assert.Single(refused.ErrorLines);
        Assert.Contains($"{home.Path} is not owned by '{OsCommand.ServerSystemUser}'", line);
        Assert.Contains($"chown -R {OsCommand.ServerSystemUser}: {home.Path}", line);
        Assert.Equal(before, await OsCommand.SnapshotAsync(home.Path));

        // The fix the message names works: an empty folder of the server user becomes the home.
        Assert.Equal(0, (await OsCommand.RunAsync(null, "chown", "-R", $"{OsCommand.ServerSystemUser}:", home.Path)).ExitCode);
        var started = await CliRunner.RunAsync("local", "start", "--data-dir", home.Path);
        Assert.True(started.ExitCode == ExitCodes.Success, started.Error);
    }

    [Fact]
    public async Task A_link_the_server_user_planted_in_its_home_never_gets_root_to_write_elsewhere()
    {
        if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess)
        {
            return; // The server runs as another user only when sark runs as root; CI runs as root.
        }

        await using var home = new TempHome();
        var outside = Path.Combine(Path.GetTempPath(), $"sark-root-only-{Guid.NewGuid():N}");
        Directory.CreateDirectory(outside, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var victim = Path.Combine(outside, "root-only.conf");
        await File.WriteAllTextAsync(victim, "root's own settings");
        try
        {
            Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync("local", "start", "--data-dir", home.Path)).ExitCode);
            Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync("local", "stop", "--data-dir", home.Path)).ExitCode);

            // What a compromised server account could do: pg_hba.conf becomes a link to a root-only file.
            var hba = Path.Combine(home.Path, "data", "pg_hba.conf");
            File.Delete(hba);
            File.CreateSymbolicLink(hba, victim);

            var start = await CliRunner.RunAsync("local", "start", "--data-dir", home.Path);

            Assert.Equal(ExitCodes.Failure, start.ExitCode);
            Assert.Contains($"could not write {hba} as the '{OsCommand.ServerSystemUser}' system user", Assert.Single(start.ErrorLines));
            Assert.Equal("root's own settings", await File.ReadAllTextAsync(victim));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task An_empty_data_folder_is_initialised_but_one_with_files_and_no_cluster_is_refused()
    {
        await using var home = new TempHome();
        var data = Path.Combine(home.Path, "data");
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync("local", "start", "--data-dir", home.Path)).ExitCode);
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync("local", "stop", "--data-dir", home.Path)).ExitCode);

        // Emptied by its user (the folder stays, still the server user's): sark makes a new cluster.
        EmptyFolder(data);
        var reinitialised = await CliRunner.RunAsync("local", "start", "--data-dir", home.Path);
        Assert.True(reinitialised.ExitCode == ExitCodes.Success, reinitialised.Error);
        Assert.True(File.Exists(Path.Combine(data, "PG_VERSION")));
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync("local", "stop", "--data-dir", home.Path)).ExitCode);

        EmptyFolder(data);
        await File.WriteAllTextAsync(Path.Combine(data, "keep.txt"), "not sark's");
        var refused = await CliRunner.RunAsync("local", "start", "--data-dir", home.Path);
        Assert.Equal(ExitCodes.Failure, refused.ExitCode);
        Assert.Contains($"{data} is not empty but holds no PostgreSQL cluster", Assert.Single(refused.ErrorLines));
        Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(data).Select(Path.GetFileName));
        Assert.Equal("not sark's", await File.ReadAllTextAsync(Path.Combine(data, "keep.txt")));
    }

    [Fact]
    public async Task What_a_killed_initdb_left_is_cleaned_up_and_the_cluster_made_again()
    {
        await using var home = new TempHome();
        var first = await CliRunner.RunAsync("local", "start", "--data-dir", home.Path, "--json");
        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        var sark = ConnectionStrings.Parse(JsonDocument.Parse(first.Out).RootElement.GetProperty("url").GetString()!);
        sark.Pooling = false; // the server restarts in between
        await using (var connection = new NpgsqlConnection(sark.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE made_before (id int)", connection);
            await create.ExecuteNonQueryAsync();
        }

        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync("local", "stop", "--data-dir", home.Path)).ExitCode);

        // What sark's initdb leaves when it is killed: its marker, PG_VERSION (written early) and partial files.
        await File.WriteAllTextAsync(Path.Combine(home.Path, "initdb.incomplete"), "");
        await File.WriteAllTextAsync(Path.Combine(home.Path, "data", "half-written"), "");
        var status = await CliRunner.RunAsync("local", "status", "--data-dir", home.Path, "--json");
        Assert.Equal("not-initialised", JsonDocument.Parse(status.Out).RootElement.GetProperty("state").GetString());

        var again = await CliRunner.RunAsync("local", "start", "--data-dir", home.Path);
        Assert.True(again.ExitCode == ExitCodes.Success, again.Error);
        Assert.False(File.Exists(Path.Combine(home.Path, "initdb.incomplete")));
        Assert.False(File.Exists(Path.Combine(home.Path, "data", "half-written")));
        await using (var connection = new NpgsqlConnection(sark.ConnectionString))
        {
            await connection.OpenAsync();
            await using var check = new NpgsqlCommand("SELECT to_regclass('made_before') IS NULL", connection);
            Assert.Equal(true, await check.ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task A_home_whose_socket_path_is_too_long_is_a_usage_error_naming_it_and_nothing_is_created()
    {
        var home = Path.Combine(Path.GetTempPath(), $"sark-{Guid.NewGuid():N}-" + new string('h', 70));
        var result = await CliRunner.RunAsync("local", "start", "--data-dir", home);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"{home}/run/.s.PGSQL.5432", Assert.Single(result.ErrorLines));
        Assert.False(Directory.Exists(home));
    }

    private static void EmptyFolder(string path)
    {
        foreach (var entry in new DirectoryInfo(path).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
    }
}
