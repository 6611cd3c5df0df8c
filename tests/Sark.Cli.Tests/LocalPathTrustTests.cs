using System.Diagnostics;
using System.Runtime.Versioning;

namespace Sark.Cli.Tests;

/// <summary>
/// No other account can make sark (above all root's sark) create, give away, open or report
/// something outside the home: not by owning a folder above it, nor by a link, nor by a fake home.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class LocalPathTrustTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode Everyone = OwnerOnly
        | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public async Task A_parent_folder_every_user_may_write_is_refused_unless_it_is_sticky()
    {
        var parent = NewFolder("sark-open-parent");
        try
        {
            File.SetUnixFileMode(parent, Everyone);
            await using var home = new TempHome(Path.Combine(parent, "home"));

            var refused = await CliRunner.RunAsync("local", "start", "--data-dir", home.Path);
            Assert.Equal(ExitCodes.Failure, refused.ExitCode);
            Assert.Contains($"{parent} (mode 777) can be written by other users and has no sticky bit", Assert.Single(refused.ErrorLines));
            Assert.Empty(Directory.GetFileSystemEntries(parent));

            // With the sticky bit (like /tmp) no one can rename or remove an entry of another user.
            File.SetUnixFileMode(parent, Everyone | UnixFileMode.StickyBit);
            var started = await CliRunner.RunAsync("local", "start", "--data-dir", home.Path);
            Assert.True(started.ExitCode == ExitCodes.Success, started.Error);
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public async Task A_parent_folder_another_user_owns_is_refused_and_nothing_is_created_or_given_away()
    {
        if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess)
        {
            return; // Only root can give a folder to another user; CI runs as root.
        }

        // The tester's setup: the parent belongs to someone who could swap the new home for a link
        // to a root-only folder between sark's mkdir and its chown.
        var parent = NewFolder("sark-foreign-parent");
        try
        {
            await MustAsync(OsCommand.RunAsync(null, "chown", "nobody:", parent));
            await using var home = new TempHome(Path.Combine(parent, "home"));

            var refused = await CliRunner.RunAsync("local", "start", "--data-dir", home.Path);

            Assert.Equal(ExitCodes.Failure, refused.ExitCode);
            Assert.Contains($"{parent} belongs to 'nobody', who could swap the home {home.Path} for a link", Assert.Single(refused.ErrorLines));
            Assert.Empty(Directory.GetFileSystemEntries(parent));
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public async Task A_home_swapped_for_a_link_to_a_root_only_folder_is_refused_and_the_folder_left_as_it_was()
    {
        if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess)
        {
            return; // The server runs as another user only when sark runs as root; CI runs as root.
        }

        var victim = NewFolder("sark-root-only");
        var shared = NewFolder("sark-sticky");
        try
        {
            File.SetUnixFileMode(victim, OwnerOnly);
            File.SetUnixFileMode(shared, Everyone | UnixFileMode.StickyBit);
            var before = await OsCommand.SnapshotAsync(victim);

            // The swap has already happened when sark looks: as root's own link, and as another user's.
            var rootsLink = Path.Combine(shared, "root-link");
            File.CreateSymbolicLink(rootsLink, victim);
            var refused = await CliRunner.RunAsync("local", "start", "--data-dir", rootsLink);
            Assert.Equal(ExitCodes.Failure, refused.ExitCode);
            Assert.Contains($"cannot reach {victim}", Assert.Single(refused.ErrorLines));

            var othersLink = Path.Combine(shared, "nobody-link");
            await MustAsync(OsCommand.RunAsync("nobody", "ln", "-s", Path.Combine(victim, "new-home"), othersLink));
            refused = await CliRunner.RunAsync("local", "start", "--data-dir", othersLink);
            Assert.Equal(ExitCodes.Failure, refused.ExitCode);
            Assert.Contains($"{othersLink} belongs to 'nobody'", Assert.Single(refused.ErrorLines));

            Assert.Equal(before, await OsCommand.SnapshotAsync(victim));
        }
        finally
        {
            Directory.Delete(shared, recursive: true);
            Directory.Delete(victim, recursive: true);
        }
    }

    [Fact]
    public async Task A_lock_file_the_server_user_swapped_for_a_link_never_gets_root_to_create_the_target()
    {
        if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess)
        {
            return; // The server runs as another user only when sark runs as root; CI runs as root.
        }

        await using var home = new TempHome();
        var victim = NewFolder("sark-root-only");
        try
        {
            File.SetUnixFileMode(victim, OwnerOnly);
            Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync("local", "start", "--data-dir", home.Path)).ExitCode);
            Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync("local", "stop", "--data-dir", home.Path)).ExitCode);

            var lockFile = Path.Combine(home.Path, "local.lock");
            var target = Path.Combine(victim, "made-by-root");
            File.Delete(lockFile);
            await MustAsync(OsCommand.RunAsync(OsCommand.ServerSystemUser, "ln", "-s", target, lockFile));

            var start = await CliRunner.RunAsync("local", "start", "--data-dir", home.Path);

            Assert.Equal(ExitCodes.Failure, start.ExitCode);
            Assert.Contains($"could not lock {lockFile} as the '{OsCommand.ServerSystemUser}' system user", Assert.Single(start.ErrorLines));
            Assert.False(File.Exists(target));
        }
        finally
        {
            Directory.Delete(victim, recursive: true);
        }
    }

    [Fact]
    public async Task A_fake_home_of_another_user_is_neither_reported_nor_stopped_by_any_local_command()
    {
        if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess)
        {
            return; // Only root can give a folder to another user; CI runs as root.
        }

        // A home that looks like sark's: its marker, a cluster version, and a postmaster.pid naming a
        // live process the server user may signal, with the socket in its run/ and no TCP listener.
        await using var home = new TempHome();
        var data = Path.Combine(home.Path, "data");
        Directory.CreateDirectory(Path.Combine(home.Path, "run"));
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(home.Path, "sark-home"), "");
        await File.WriteAllTextAsync(Path.Combine(data, "PG_VERSION"), "15\n");
        using var decoy = StartAs(OsCommand.ServerSystemUser, "sh", "-c", "echo $$; exec sleep 300");
        var pid = (await decoy.StandardOutput.ReadLineAsync())!.Trim();
        var pidFile = Path.Combine(data, "postmaster.pid");
        await File.WriteAllTextAsync(pidFile, $"{pid}\n{data}\n1700000000\n5432\n{home.Path}/run\n\n  5432001         0\nready   \n");
        await MustAsync(OsCommand.RunAsync(null, "chown", "-R", "nobody:", home.Path));
        try
        {
            foreach (var command in new[] { "status", "url", "stop" })
            {
                var result = await CliRunner.RunAsync("local", command, "--data-dir", home.Path);
                Assert.True(result.ExitCode == ExitCodes.Failure, $"local {command}: {result.Out}{result.Error}");
                Assert.Contains($"{home.Path} is not owned by '{OsCommand.ServerSystemUser}'", Assert.Single(result.ErrorLines));
            }

            Assert.False(decoy.HasExited);
        }
        finally
        {
            decoy.Kill(entireProcessTree: true);
            File.Delete(pidFile);
        }
    }

    private static string NewFolder(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return path;
    }

    private static Process StartAs(string user, params string[] command)
    {
        var start = new ProcessStartInfo("runuser") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-u", user, "--" }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private static async Task MustAsync(Task<CliResult> command)
    {
        var result = await command;
        Assert.True(result.ExitCode == 0, result.Out + result.Error);
    }
}
