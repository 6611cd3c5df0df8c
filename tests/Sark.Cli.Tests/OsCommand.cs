using System.Diagnostics;

namespace Sark.Cli.Tests;

/// <summary>Runs a program as another OS user (runuser, so tests that switch users need root).</summary>
internal static class OsCommand
{
    /// <summary>The user the embedded server runs as when the tests run as root.</summary>
    public const string ServerSystemUser = "postgres";

    /// <summary>Runs as the user the embedded server runs as: postgres under root, else this user.</summary>
    public static Task<CliResult> RunAsServerUserAsync(string program, params string[] args) =>
        RunAsync(Environment.IsPrivilegedProcess ? ServerSystemUser : null, program, args);

    /// <summary>Every entry with its owner, mode and size: any write, delete or chown changes it.</summary>
    public static async Task<string> SnapshotAsync(string path) =>
        string.Join('\n', (await RunAsync(null, "find", path, "-printf", "%p %u %m %s\n")).Out.Split('\n').Order(StringComparer.Ordinal));

    public static async Task<CliResult> RunAsync(string? user, string program, params string[] args)
    {
        var start = new ProcessStartInfo(user is null ? program : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (user is not null)
        {
            foreach (var arg in new[] { "-u", user, "--", program })
            {
                start.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["LC_ALL"] = "C";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
