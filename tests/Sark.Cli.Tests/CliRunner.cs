using System.Diagnostics;

namespace Sark.Cli.Tests;

public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs the sark command in this process (fast) or as a real child process (for locks and environment).</summary>
internal static class CliRunner
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await SarkCli.RunAsync(args, stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public static async Task<CliResult> RunProcessAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using var process = StartProcess(environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts sark as a child process and returns it running (for tests that kill it).</summary>
    public static Process StartProcess(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sark.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A child must not pick up a developer's own database settings.
        start.Environment.Remove("SARK_DATABASE_URL");
        start.Environment.Remove("SARK_LOCAL_DIR");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return Process.Start(start)!;
    }
}
