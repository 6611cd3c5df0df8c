using System.Diagnostics;

namespace Sark.Local;

internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Output => (StandardOutput + "\n" + StandardError).Trim();
}

/// <summary>Runs the PostgreSQL server tools, as the <c>postgres</c> system user when we are root.</summary>
internal static class ProcessRunner
{
    public static Task<ProcessResult> RunAsync(
        string fileName, IReadOnlyList<string> arguments, string? runAsUser, CancellationToken cancellationToken) =>
        RunAsync(fileName, arguments, runAsUser, standardInput: null, cancellationToken);

    /// <summary>Runs the program with <paramref name="standardInput"/> written to its stdin (then closed).</summary>
    public static async Task<ProcessResult> RunAsync(
        string fileName, IReadOnlyList<string> arguments, string? runAsUser, string? standardInput, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };

        // PostgreSQL refuses to run as root; runuser switches without asking for a password.
        if (runAsUser is not null)
        {
            start.FileName = "runuser";
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add(runAsUser);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(fileName);
        }
        else
        {
            start.FileName = fileName;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A fixed locale keeps tool messages parseable and avoids initdb locale surprises.
        start.Environment["LC_ALL"] = "C";
        start.Environment["LANG"] = "C";

        using var process = new Process { StartInfo = start };
        process.Start();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return new ProcessResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
